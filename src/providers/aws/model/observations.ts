/** The snapshot's guest observations, keyed by idKey. */
import type { GuestObservation } from "../../../core/snapshot/types.ts";
import { pointer } from "../../../core/util/json-pointer.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import type { AwsSnapshot } from "../wire-types.ts";
import type { AwsModel } from "./types.ts";

export function readObservations(snapshot: AwsSnapshot): AwsModel["observations"] {
  const guest = new Map<string, { ptr: string; body: GuestObservation }>();
  for (const [k, body] of Object.entries(snapshot.observations?.guest ?? {})) {
    guest.set(idKey(k), { ptr: pointer("observations", "guest", k), body });
  }
  return { guest };
}
