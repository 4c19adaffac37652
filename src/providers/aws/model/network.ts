/** The VPC side: security groups, network ACLs, route tables and subnets (with the NACL and route table each one uses). */
import { join, pointer } from "../../../core/util/json-pointer.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import { arr, obj, str } from "../../../core/util/wire.ts";
import { nameTag, num } from "./read.ts";
import type { AwsBuild } from "./state.ts";
import type { NaclEntry, NetworkAcl, Route, RouteTable, SecurityGroup, SgPermission, Subnet } from "./types.ts";

function readPermission(w: unknown, ptr: string): SgPermission {
  const p = obj(w);
  const perm: SgPermission = {
    ptr,
    protocol: String(p.IpProtocol ?? "-1").toLowerCase(),
    ipRanges: arr(p.IpRanges).flatMap((r, i) => {
      const cidr = str(obj(r).CidrIp);
      const d = str(obj(r).Description);
      return cidr ? [{ cidr, ptr: join(ptr, "IpRanges", i), ...(d ? { description: d } : {}) }] : [];
    }),
    ipv6Ranges: arr(p.Ipv6Ranges).flatMap((r, i) => {
      const cidr = str(obj(r).CidrIpv6);
      return cidr ? [{ cidr, ptr: join(ptr, "Ipv6Ranges", i) }] : [];
    }),
    groupPairs: arr(p.UserIdGroupPairs).flatMap((r, i) => {
      const groupId = str(obj(r).GroupId);
      const userId = str(obj(r).UserId);
      return groupId ? [{ groupId, ptr: join(ptr, "UserIdGroupPairs", i), ...(userId ? { userId } : {}) }] : [];
    }),
    prefixLists: arr(p.PrefixListIds).flatMap((r, i) => {
      const id = str(obj(r).PrefixListId);
      return id ? [{ id, ptr: join(ptr, "PrefixListIds", i) }] : [];
    }),
  };
  const from = num(p.FromPort);
  const to = num(p.ToPort);
  if (from !== undefined) perm.fromPort = from;
  if (to !== undefined) perm.toPort = to;
  return perm;
}

function readNaclEntry(w: unknown, ptr: string): NaclEntry {
  const e = obj(w);
  const ruleNumber = num(e.RuleNumber) ?? 32767;
  const entry: NaclEntry = {
    ptr,
    ruleNumber,
    egress: e.Egress === true,
    protocol: String(e.Protocol ?? "-1").toLowerCase(),
    action: String(e.RuleAction ?? "deny").toLowerCase() === "allow" ? "allow" : "deny",
    implicit: ruleNumber === 32767,
  };
  const cidr = str(e.CidrBlock);
  if (cidr) entry.cidr = cidr;
  const v6 = str(e.Ipv6CidrBlock);
  if (v6) entry.ipv6Cidr = v6;
  const pr = obj(e.PortRange);
  const from = num(pr.From);
  const to = num(pr.To);
  if (from !== undefined && to !== undefined) entry.portRange = { from, to };
  return entry;
}

const ROUTE_TARGETS = [
  "GatewayId",
  "NatGatewayId",
  "TransitGatewayId",
  "VpcPeeringConnectionId",
  "NetworkInterfaceId",
  "InstanceId",
  "LocalGatewayId",
  "CarrierGatewayId",
  "EgressOnlyInternetGatewayId",
  "CoreNetworkArn",
];

export function buildSecurityGroups(st: AwsBuild): void {
  arr(st.ec2.SecurityGroups).forEach((w, i) => {
    const raw = obj(w);
    const id = str(raw.GroupId);
    if (!id) return;
    const ptr = pointer("ec2", "SecurityGroups", i);
    const groupName = str(raw.GroupName) ?? id;
    const sg: SecurityGroup = {
      id,
      key: idKey(id),
      name: groupName,
      ptr,
      raw,
      groupName,
      ingress: arr(raw.IpPermissions).map((p, j) => readPermission(p, join(ptr, "IpPermissions", j))),
      egress: arr(raw.IpPermissionsEgress).map((p, j) => readPermission(p, join(ptr, "IpPermissionsEgress", j))),
    };
    const vpc = str(raw.VpcId);
    if (vpc) sg.vpcId = vpc;
    st.securityGroup.set(sg.key, sg);
  });
}

export function buildNetworkAcls(st: AwsBuild): void {
  arr(st.ec2.NetworkAcls).forEach((w, i) => {
    const raw = obj(w);
    const id = str(raw.NetworkAclId);
    if (!id) return;
    const ptr = pointer("ec2", "NetworkAcls", i);
    const entries = arr(raw.Entries).map((e, j) => readNaclEntry(e, join(ptr, "Entries", j)));
    // the implicit deny always applies, even when a hand-made snapshot leaves it out
    for (const egress of [false, true]) {
      if (!entries.some((e) => e.egress === egress && e.ruleNumber === 32767)) {
        entries.push({
          ptr: join(ptr, "Entries"),
          ruleNumber: 32767,
          egress,
          protocol: "-1",
          action: "deny",
          cidr: "0.0.0.0/0",
          implicit: true,
        });
      }
    }
    entries.sort((a, b) => Number(a.egress) - Number(b.egress) || a.ruleNumber - b.ruleNumber);
    const acl: NetworkAcl = {
      id,
      key: idKey(id),
      name: nameTag(raw) ?? id,
      ptr,
      raw,
      isDefault: raw.IsDefault === true,
      entries,
      associations: arr(raw.Associations).flatMap((a, j) => {
        const subnetId = str(obj(a).SubnetId);
        const associationId = str(obj(a).NetworkAclAssociationId);
        return subnetId ? [{ subnetId, ptr: join(ptr, "Associations", j), ...(associationId ? { associationId } : {}) }] : [];
      }),
    };
    const vpc = str(raw.VpcId);
    if (vpc) acl.vpcId = vpc;
    st.networkAcl.set(acl.key, acl);
  });
}

export function buildRouteTables(st: AwsBuild): void {
  arr(st.ec2.RouteTables).forEach((w, i) => {
    const raw = obj(w);
    const id = str(raw.RouteTableId);
    if (!id) return;
    const ptr = pointer("ec2", "RouteTables", i);
    const associations = arr(raw.Associations).map((a, j) => {
      const o = obj(a);
      const subnetId = str(o.SubnetId);
      // an edge association (a gateway route table): "The ID of the internet gateway or virtual private gateway"
      // (RouteTableAssociation, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RouteTableAssociation.html)
      const gatewayId = str(o.GatewayId);
      const associationId = str(o.RouteTableAssociationId);
      return {
        main: o.Main === true,
        ptr: join(ptr, "Associations", j),
        ...(subnetId ? { subnetId } : {}),
        ...(gatewayId ? { gatewayId } : {}),
        ...(associationId ? { associationId } : {}),
      };
    });
    const rt: RouteTable = {
      id,
      key: idKey(id),
      name: nameTag(raw) ?? id,
      ptr,
      raw,
      isMain: associations.some((a) => a.main),
      associations,
      routes: arr(raw.Routes).map((r, j) => {
        const o = obj(r);
        const route: Route = {
          ptr: join(ptr, "Routes", j),
          destination: str(o.DestinationCidrBlock) ?? str(o.DestinationIpv6CidrBlock) ?? str(o.DestinationPrefixListId) ?? "",
          target: ROUTE_TARGETS.map((k) => str(o[k])).find((x) => x !== undefined) ?? "",
        };
        const state = str(o.State);
        if (state) route.state = state;
        return route;
      }),
    };
    const vpc = str(raw.VpcId);
    if (vpc) rt.vpcId = vpc;
    st.routeTable.set(rt.key, rt);
  });
}

/** Subnets, with their NACL and route table (explicit association, else the VPC's default / main). */
export function buildSubnets(st: AwsBuild): void {
  arr(st.ec2.Subnets).forEach((w, i) => {
    const raw = obj(w);
    const id = str(raw.SubnetId);
    if (!id) return;
    const s: Subnet = {
      id,
      key: idKey(id),
      name: nameTag(raw) ?? id,
      ptr: pointer("ec2", "Subnets", i),
      raw,
      ipv6Cidrs: arr(raw.Ipv6CidrBlockAssociationSet)
        .map((a) => str(obj(a).Ipv6CidrBlock))
        .filter((x): x is string => !!x),
      mapPublicIpOnLaunch: raw.MapPublicIpOnLaunch === true,
    };
    const vpc = str(raw.VpcId);
    if (vpc) s.vpcId = vpc;
    const cidr = str(raw.CidrBlock);
    if (cidr) s.cidr = cidr;
    const az = str(raw.AvailabilityZone);
    if (az) s.availabilityZone = az;
    st.subnet.set(s.key, s);
  });
  // each subnet's explicit associations and each VPC's default ACL / main route table, indexed once (the first in
  // the order collected, as a scan would find): a walk of every ACL and route table per subnet is quadratic at scale
  type Via<T, A> = { of: T; a: A };
  const aclOf = new Map<string, Via<NetworkAcl, NetworkAcl["associations"][number]>>();
  const defaultAcl = new Map<string, NetworkAcl>();
  for (const acl of st.networkAcl.values()) {
    for (const a of acl.associations) {
      const k = idKey(a.subnetId);
      if (!aclOf.has(k)) aclOf.set(k, { of: acl, a });
    }
    if (acl.isDefault && acl.vpcId !== undefined && !defaultAcl.has(acl.vpcId)) defaultAcl.set(acl.vpcId, acl);
  }
  const rtOf = new Map<string, Via<RouteTable, RouteTable["associations"][number]>>();
  const mainRt = new Map<string, RouteTable>();
  for (const rt of st.routeTable.values()) {
    for (const a of rt.associations) {
      if (a.subnetId === undefined) continue;
      const k = idKey(a.subnetId);
      if (!rtOf.has(k)) rtOf.set(k, { of: rt, a });
    }
    if (rt.isMain && rt.vpcId !== undefined && !mainRt.has(rt.vpcId)) mainRt.set(rt.vpcId, rt);
  }
  for (const s of st.subnet.values()) {
    const acl = aclOf.get(s.key);
    if (acl) {
      s.nacl = acl.of;
      s.naclVia = "association";
      s.naclPtr = acl.a.ptr;
    }
    if (!s.nacl) {
      const dflt = s.vpcId === undefined ? undefined : defaultAcl.get(s.vpcId);
      if (dflt) {
        s.nacl = dflt;
        s.naclVia = "vpc-default";
        s.naclPtr = dflt.ptr;
      } else if (st.collected.networkAcls) {
        st.noteUnresolved(s, "network ACL", "no ACL lists it in Associations and the VPC's default ACL is missing");
      }
    }
    const rt = rtOf.get(s.key);
    if (rt) {
      s.routeTable = rt.of;
      s.routeTableVia = "association";
      s.routeTablePtr = rt.a.ptr;
      if (rt.a.associationId) s.routeTableAssociationId = rt.a.associationId;
    }
    if (!s.routeTable) {
      const main = s.vpcId === undefined ? undefined : mainRt.get(s.vpcId);
      if (main) {
        s.routeTable = main;
        s.routeTableVia = "main";
        s.routeTablePtr = main.associations.find((a) => a.main)?.ptr ?? main.ptr;
      } else if (st.collected.routeTables) {
        st.noteUnresolved(s, "route table", "no route table is associated with it and the VPC's main route table is missing");
      }
    }
  }
}
