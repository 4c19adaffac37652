/** The state the Azure model's section builders share while they build: the resources by key, the lookups filled so far, the gaps. */
import { danglingRecorder } from "../../../core/engine/gaps.ts";
import { pointer } from "../../../core/util/json-pointer.ts";
import { idKey, nameOf } from "../arm-id.ts";
import type { ArmResource, AzureSnapshot } from "../wire-types.ts";
import type {
  AvailabilitySet,
  IpConfig,
  LoadBalancer,
  ModelGap,
  Nic,
  Nsg,
  Pool,
  PublicIp,
  RouteTable,
  Subnet,
  Vm,
  Vmss,
  Vnet,
} from "./types.ts";

export interface AzureBuild {
  snapshot: AzureSnapshot;
  gaps: ModelGap[];
  /** records a reference to `targetId`, made by `fromId`, that the snapshot does not satisfy */
  noteDangling: (targetId: string, fromId: string, what: string) => void;
  resource: Map<string, { raw: ArmResource; ptr: string }>;
  nsg: Map<string, Nsg>;
  routeTable: Map<string, RouteTable>;
  vnet: Map<string, Vnet>;
  subnet: Map<string, Subnet>;
  publicIp: Map<string, PublicIp>;
  nic: Map<string, Nic>;
  ipConfig: Map<string, IpConfig>;
  vm: Map<string, Vm>;
  availabilitySet: Map<string, AvailabilitySet>;
  vmss: Map<string, Vmss>;
  pool: Map<string, Pool>;
  lbs: LoadBalancer[];
}

/** Indexes the snapshot's resources by key (a duplicated id becomes a gap; the last copy wins) and starts empty lookups. */
export function startBuild(snapshot: AzureSnapshot): AzureBuild {
  const gaps: ModelGap[] = (snapshot.gaps ?? []).map((g) => ({ ...g, kind: "collection" as const }));
  const resource = new Map<string, { raw: ArmResource; ptr: string }>();
  /** every index of an id that occurs more than once */
  const copies = new Map<string, number[]>();
  snapshot.resources.forEach((r, i) => {
    const key = idKey(r.id);
    const prev = resource.get(key);
    if (prev) {
      const list = copies.get(key);
      if (list) list.push(i);
      else copies.set(key, [Number(prev.ptr.slice("/resources/".length)), i]);
    }
    resource.set(key, { raw: r, ptr: pointer("resources", i) });
  });
  // one gap per duplicated id, naming the copy that is used (the last), which is also where the model's pointers lead
  for (const [key, list] of copies) {
    const last = list[list.length - 1] as number;
    const shown = list.length <= 5 ? list.map((i) => `resources[${i}]`).join(", ") : `resources[${list[0]}], …`;
    gaps.push({
      kind: "collection",
      operation: "snapshot",
      resourceId: (snapshot.resources[last] as ArmResource).id,
      pointer: pointer("resources", last),
      message: `the snapshot holds ${(resource.get(key) as { raw: ArmResource }).raw.id} more than once (${list.length} copies: ${shown}); the last copy, resources[${last}], is used`,
    });
  }
  const recordDangling = danglingRecorder(gaps);
  return {
    snapshot,
    gaps,
    noteDangling: (targetId, fromId, what) => recordDangling(targetId, fromId, nameOf(fromId), what),
    resource,
    nsg: new Map(),
    routeTable: new Map(),
    vnet: new Map(),
    subnet: new Map(),
    publicIp: new Map(),
    nic: new Map(),
    ipConfig: new Map(),
    vm: new Map(),
    availabilitySet: new Map(),
    vmss: new Map(),
    pool: new Map(),
    lbs: [],
  };
}
