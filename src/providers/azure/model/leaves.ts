/** Pass 1: the leaf resources nothing else needs to be built first (NSGs, route tables, public IPs, availability sets, scale sets). */
import { join } from "../../../core/util/json-pointer.ts";
import { arr, obj, str } from "../../../core/util/wire.ts";
import { idKey } from "../arm-id.ts";
import type { ArmResource } from "../wire-types.ts";
import { buildNsg } from "./nsg-rules.ts";
import { props, refId, refKeys, resourceGroupOf, typeIs } from "./read.ts";
import type { AzureBuild } from "./state.ts";
import type { PublicIp, RouteEntry, Vmss } from "./types.ts";

export function buildLeaves(b: AzureBuild): void {
  for (const [key, { raw: r, ptr }] of b.resource) {
    if (typeIs(r, "Microsoft.Network/networkSecurityGroups")) {
      const n = buildNsg(r, ptr);
      n.resourceGroup = resourceGroupOf(r.id);
      b.nsg.set(key, n);
    } else if (typeIs(r, "Microsoft.Network/routeTables")) {
      const p = obj(r.properties);
      b.routeTable.set(key, {
        id: r.id,
        key,
        name: r.name,
        ptr,
        raw: r,
        routes: arr(p.routes).map((w, i) => {
          const rp = props(w);
          const entry: RouteEntry = {
            name: str(obj(w).name) ?? `route-${i}`,
            ptr: join(ptr, "properties", "routes", i),
            addressPrefix: str(rp.addressPrefix) ?? "",
            nextHopType: str(rp.nextHopType) ?? "",
          };
          const hop = str(rp.nextHopIpAddress);
          if (hop) entry.nextHopIpAddress = hop;
          return entry;
        }),
      });
    } else if (typeIs(r, "Microsoft.Network/publicIPAddresses")) {
      const p = obj(r.properties);
      const pip: PublicIp = { id: r.id, key, name: r.name, ptr, raw: r, sku: r.sku?.name };
      const addr = str(p.ipAddress);
      if (addr) pip.ipAddress = addr;
      const alloc = str(p.publicIPAllocationMethod);
      if (alloc) pip.allocation = alloc;
      b.publicIp.set(key, pip);
    } else if (typeIs(r, "Microsoft.Compute/availabilitySets")) {
      b.availabilitySet.set(key, {
        id: r.id,
        key,
        name: r.name,
        ptr,
        raw: r,
        vmKeys: refKeys(obj(r.properties).virtualMachines),
      });
    } else if (typeIs(r, "Microsoft.Compute/virtualMachineScaleSets")) {
      b.vmss.set(key, readVmss(r, key, ptr));
    }
  }
}

/** A scale set with the backend pools its model puts instance NICs in (virtualMachineProfile.networkProfile). */
function readVmss(r: ArmResource, key: string, ptr: string): Vmss {
  const p = obj(r.properties);
  const profile = obj(obj(p.virtualMachineProfile).networkProfile);
  const nicConfigs = arr(profile.networkInterfaceConfigurations);
  const v: Vmss = { id: r.id, key, name: r.name, ptr, raw: r, instances: [], modelPools: [], modelKnown: nicConfigs.length > 0 };
  const mode = str(obj(p.upgradePolicy).mode);
  if (mode) v.upgradeMode = mode;
  nicConfigs.forEach((nc, i) => {
    arr(props(nc).ipConfigurations).forEach((ic, j) => {
      arr(props(ic).loadBalancerBackendAddressPools).forEach((ref, k) => {
        const id = refId(ref);
        if (!id || v.modelPools.some((x) => x.key === idKey(id))) return;
        v.modelPools.push({
          key: idKey(id),
          id,
          ptr: join(
            ptr,
            "properties",
            "virtualMachineProfile",
            "networkProfile",
            "networkInterfaceConfigurations",
            i,
            "properties",
            "ipConfigurations",
            j,
            "properties",
            "loadBalancerBackendAddressPools",
            k,
          ),
        });
      });
    });
  });
  return v;
}
