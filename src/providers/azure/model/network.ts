/** VNets and their subnets (subnets may also arrive as standalone resources), each subnet's NSG, route table and NAT gateway, and address resolution. */
import { join } from "../../../core/util/json-pointer.ts";
import { arr, type Obj, obj, str, strList } from "../../../core/util/wire.ts";
import { idKey, nameOf, parentResourceId } from "../arm-id.ts";
import type { ArmResource } from "../wire-types.ts";
import { props, refId, typeIs } from "./read.ts";
import type { AzureBuild } from "./state.ts";
import type { NatGateway, PublicIp, Subnet, Vnet } from "./types.ts";

export function buildNetwork(b: AzureBuild): void {
  for (const [key, { raw: r, ptr }] of b.resource) {
    if (!typeIs(r, "Microsoft.Network/virtualNetworks")) continue;
    const p = obj(r.properties);
    const v: Vnet = {
      id: r.id,
      key,
      name: r.name,
      ptr,
      raw: r,
      addressSpace: strList(obj(p.addressSpace).addressPrefixes),
      peeredSpace: arr(p.virtualNetworkPeerings).flatMap((peer) => strList(obj(props(peer).remoteAddressSpace).addressPrefixes)),
      subnets: [],
    };
    b.vnet.set(key, v);
    arr(p.subnets).forEach((w, i) => {
      const id = str(obj(w).id);
      if (!id) return;
      const s = readSubnet(w, join(ptr, "properties", "subnets", i), v);
      b.subnet.set(s.key, s);
      v.subnets.push(s);
    });
  }
  for (const [key, { raw: r, ptr }] of b.resource) {
    if (!typeIs(r, "Microsoft.Network/virtualNetworks/subnets") || b.subnet.has(key)) continue;
    const parent = b.vnet.get(idKey(parentResourceId(r.id)));
    const s = readSubnet(r, ptr, parent);
    b.subnet.set(key, s);
    parent?.subnets.push(s);
  }
  // NAT gateways are looked up from the subnets that name them (one object per gateway), not by a pass over every resource
  const natGateways = new Map<string, NatGateway | null>();
  for (const s of b.subnet.values()) {
    if (s.natGatewayId) {
      const key = idKey(s.natGatewayId);
      let nat = natGateways.get(key);
      if (nat === undefined) {
        const found = b.resource.get(key);
        nat = found && typeIs(found.raw, "Microsoft.Network/natGateways") ? readNatGateway(found.raw, found.ptr, key) : null;
        natGateways.set(key, nat);
      }
      if (nat) s.natGateway = nat;
      else b.noteDangling(s.natGatewayId, s.id, "NAT gateway");
    }
    if (s.nsgId) {
      s.nsg = b.nsg.get(idKey(s.nsgId));
      if (!s.nsg) b.noteDangling(s.nsgId, s.id, "network security group");
    }
    if (s.routeTableId) {
      s.routeTable = b.routeTable.get(idKey(s.routeTableId));
      if (!s.routeTable) b.noteDangling(s.routeTableId, s.id, "route table");
    }
  }
}

function readSubnet(w: unknown, ptr: string, parent: Vnet | undefined): Subnet {
  const id = str(obj(w).id) ?? "";
  const p = props(w);
  const prefixes = strList(p.addressPrefixes);
  const one = str(p.addressPrefix);
  if (one && !prefixes.includes(one)) prefixes.unshift(one);
  const s: Subnet = {
    id,
    key: idKey(id),
    name: str(obj(w).name) ?? nameOf(id),
    ptr,
    vnetKey: parent?.key ?? idKey(parentResourceId(id)),
    prefixes,
  };
  if (parent) s.vnet = parent;
  const nsgId = refId(p.networkSecurityGroup);
  if (nsgId) s.nsgId = nsgId;
  const rtId = refId(p.routeTable);
  if (rtId) s.routeTableId = rtId;
  const natId = refId(p.natGateway);
  if (natId) s.natGatewayId = natId;
  if (typeof p.defaultOutboundAccess === "boolean") s.defaultOutboundAccess = p.defaultOutboundAccess;
  return s;
}

/** A NAT gateway: its SKU and the ids of its IPv4 and IPv6 public IP addresses and prefixes. */
function readNatGateway(r: ArmResource, ptr: string, key: string): NatGateway {
  const p = obj(r.properties);
  const ids = (...lists: unknown[]) => lists.flatMap((l) => arr(l).map(refId)).filter((x): x is string => !!x);
  return {
    id: r.id,
    key,
    name: r.name,
    ptr,
    raw: r,
    sku: str(obj(r.sku).name),
    publicIpV4Ids: ids(p.publicIpAddresses, p.publicIpPrefixes),
    publicIpV6Ids: ids(p.publicIpAddressesV6, p.publicIpPrefixesV6),
  };
}

/** An ip configuration or a frontend: its private IP, subnet and public IP, resolved (or noted as dangling). */
export function resolveAddress(
  b: AzureBuild,
  target: { privateIp?: string; subnetId?: string; subnet?: Subnet; publicIpId?: string; publicIp?: PublicIp },
  p: Obj,
  fromId: string,
): void {
  const ip = str(p.privateIPAddress);
  if (ip) target.privateIp = ip;
  const subnetId = refId(p.subnet);
  if (subnetId) {
    target.subnetId = subnetId;
    const s = b.subnet.get(idKey(subnetId));
    if (s) target.subnet = s;
    else b.noteDangling(subnetId, fromId, "subnet");
  }
  const pipId = refId(p.publicIPAddress);
  if (pipId) {
    target.publicIpId = pipId;
    const pip = b.publicIp.get(idKey(pipId));
    if (pip) target.publicIp = pip;
    else b.noteDangling(pipId, fromId, "public IP address");
  }
}
