/** Pass 1: the leaf resources nothing else needs to be built first (NSGs, route tables, public IPs, availability sets, scale sets). */
import { join } from "../../../core/util/json-pointer.ts";
import { arr, obj, str } from "../../../core/util/wire.ts";
import { buildNsg } from "./nsg-rules.ts";
import { props, refKeys, resourceGroupOf, typeIs } from "./read.ts";
import type { AzureBuild } from "./state.ts";
import type { PublicIp, RouteEntry } from "./types.ts";

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
      b.vmss.set(key, { id: r.id, key, name: r.name, ptr, raw: r, instances: [] });
    }
  }
}
