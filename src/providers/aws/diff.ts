/** The diff's AWS half: Describe* list items by their natural id (LoadBalancerArn, GroupId, InstanceId…), maps by key. */
import { type DiffAdapter, type Entity, entityList, isObject, pushObservations } from "../../core/diff/compare.ts";
import type { Snapshot } from "../../core/snapshot/types.ts";
import { escapeToken } from "../../core/util/json-pointer.ts";

/** The natural id of an element of an AWS list. */
const AWS_IDS = [
  "LoadBalancerArn",
  "ListenerArn",
  "RuleArn",
  "TargetGroupArn",
  "GroupId",
  "InstanceId",
  "SubnetId",
  "NetworkAclId",
  "RouteTableId",
  "AutoScalingGroupARN",
  "AutoScalingGroupName",
];

function itemName(item: unknown, id: string): string {
  if (!isObject(item)) return id.split("/").pop() ?? id;
  if (typeof item.LoadBalancerName === "string") return item.LoadBalancerName;
  if (typeof item.TargetGroupName === "string") return item.TargetGroupName;
  const nameTag = Array.isArray(item.Tags)
    ? (item.Tags as Array<{ Key?: unknown; Value?: unknown }>).find((t) => t?.Key === "Name")?.Value
    : undefined;
  return typeof nameTag === "string" ? nameTag : (id.split("/").pop() ?? id);
}

function entities(s: Snapshot): Entity[] {
  const { out, push } = entityList();
  for (const section of ["elbv2", "ec2", "autoscaling"] as const) {
    const sec = (s as unknown as Record<string, unknown>)[section];
    if (!isObject(sec)) continue;
    for (const [list, v] of Object.entries(sec)) {
      const category = `${section}.${list}`;
      if (Array.isArray(v)) {
        v.forEach((item, i) => {
          const idField = isObject(item) ? AWS_IDS.find((f) => typeof item[f] === "string") : undefined;
          const id = idField && isObject(item) ? String(item[idField]) : `#${i}`;
          const pointer = `/${section}/${escapeToken(list)}/${i}`;
          push({ category, key: `${category}|${id.toLowerCase()}`, id, name: itemName(item, id), type: category, pointer, value: item });
        });
      } else if (isObject(v)) {
        for (const [k, x] of Object.entries(v)) {
          const pointer = `/${section}/${escapeToken(list)}/${escapeToken(k)}`;
          push({
            category,
            key: `${category}|${k.toLowerCase()}`,
            id: k,
            name: k.split("/").pop() || k,
            type: category,
            pointer,
            value: x,
          });
        }
      }
    }
  }
  pushObservations(s.observations as Record<string, unknown> | undefined, push);
  return out;
}

export const awsDiff: DiffAdapter = { entities, shortId: (v) => v, sameId: () => false };
