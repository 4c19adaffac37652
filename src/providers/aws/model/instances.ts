/** EC2 instances, with their security groups and subnet, indexed by every private IP. */
import { join, pointer } from "../../../core/util/json-pointer.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import { arr, obj, str } from "../../../core/util/wire.ts";
import { nameTag } from "./read.ts";
import type { AwsBuild } from "./state.ts";
import type { Instance, SecurityGroup } from "./types.ts";

/** The security groups of a load balancer or an instance; one the snapshot lacks becomes a dangling reference. */
export function resolveGroups(st: AwsBuild, ids: string[], fromId: string, fromName: string): SecurityGroup[] {
  const out: SecurityGroup[] = [];
  for (const g of ids) {
    const sg = st.securityGroup.get(idKey(g));
    if (sg) out.push(sg);
    else st.noteDangling(g, fromId, fromName, "security group");
  }
  return out;
}

export function buildInstances(st: AwsBuild): void {
  arr(st.ec2.Instances).forEach((w, i) => {
    const raw = obj(w);
    const id = str(raw.InstanceId);
    if (!id) return;
    const ptr = pointer("ec2", "Instances", i);
    const name = nameTag(raw) ?? id;
    const sgIds = arr(raw.SecurityGroups)
      .map((g) => str(obj(g).GroupId))
      .filter((x): x is string => !!x);
    const inst: Instance = {
      id,
      key: idKey(id),
      name,
      ptr,
      raw,
      statePtr: join(ptr, "State", "Name"),
      privateIps: [],
      securityGroupIds: sgIds,
      securityGroups: resolveGroups(st, sgIds, id, name),
      securityGroupsPtr: join(ptr, "SecurityGroups"),
    };
    const state = str(obj(raw.State).Name);
    if (state) inst.state = state;
    const az = str(obj(raw.Placement).AvailabilityZone);
    if (az) inst.availabilityZone = az;
    const vpc = str(raw.VpcId);
    if (vpc) inst.vpcId = vpc;
    const pub = str(raw.PublicIpAddress);
    if (pub) inst.publicIp = pub;
    const priv = str(raw.PrivateIpAddress);
    if (priv) {
      inst.privateIp = priv;
      inst.privateIps.push(priv);
    }
    for (const eni of arr(raw.NetworkInterfaces)) {
      for (const a of arr(obj(eni).PrivateIpAddresses)) {
        const ip = str(obj(a).PrivateIpAddress);
        if (ip && !inst.privateIps.includes(ip)) inst.privateIps.push(ip);
      }
    }
    const subnetId = str(raw.SubnetId);
    if (subnetId) {
      inst.subnetId = subnetId;
      const s = st.subnet.get(idKey(subnetId));
      if (s) inst.subnet = s;
      else st.noteDangling(subnetId, id, name, "subnet");
    }
    st.instance.set(inst.key, inst);
    for (const ip of inst.privateIps) if (!st.instanceByIp.has(ip)) st.instanceByIp.set(ip, inst);
  });
}
