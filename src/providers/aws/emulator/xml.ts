/**
 * SDK-shaped JSON (what `aws … --output json` prints and what the snapshot
 * stores) → the XML the Query protocols put on the wire.
 *
 * awsQuery (ELBv2, Auto Scaling): element names are the member names
 * (UpperCamel), lists are `<member>`, maps `<entry><key/><value/></entry>`.
 *
 * ec2Query (EC2): element names are lowerCamel, lists are `<item>`, and a few
 * members are renamed per shape (`SecurityGroup.Description` is
 * `groupDescription`, `Instance.SecurityGroups` is `groupSet` …). The renames
 * live in EC2_SHAPES, keyed by botocore's shape names; the emulator tests check
 * the table against botocore's service model, so it cannot drift silently.
 */

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#x0D;" };

/**
 * Text as XML character data. A carriage return is written as a character
 * reference, as AWS's own serializers do: a raw one is turned into a newline
 * by every XML parser (line-end normalization), so a tag value or a
 * description holding `\r\n` would reach the SDK as `\n`.
 */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c] ?? c);
}

function scalar(v: unknown): string {
  if (typeof v === "string") return escapeXml(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return escapeXml(JSON.stringify(v));
}

/** awsQuery members that are maps (the snapshot's JSON cannot tell a map from a structure). */
export const QUERY_MAPS = new Set(["AuthenticationRequestExtraParams"]);
/** awsQuery lists whose wire name or member name differs, by `Parent.Member` (Auto Scaling's one oddity). */
export const QUERY_LISTS: Record<string, { name: string; member: string }> = {
  "Cpu.References": { name: "Reference", member: "item" },
};

/** One awsQuery element: `<name>…</name>`, or nothing for undefined/null. */
export function queryXml(name: string, value: unknown, parent = ""): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) {
    const special = QUERY_LISTS[`${parent}.${name}`];
    const el = special?.name ?? name;
    const member = special?.member ?? "member";
    return `<${el}>${value.map((v) => queryXml(member, v, name)).join("")}</${el}>`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (QUERY_MAPS.has(name)) {
      return `<${name}>${entries.map(([k, v]) => `<entry><key>${escapeXml(k)}</key>${queryXml("value", v, name)}</entry>`).join("")}</${name}>`;
    }
    return `<${name}>${entries.map(([k, v]) => queryXml(k, v, name)).join("")}</${name}>`;
  }
  return `<${name}>${scalar(value)}</${name}>`;
}

export interface Ec2Shape {
  /** SDK member name → wire name, where it is not simply the member name with a lower-case first letter */
  rename?: Record<string, string>;
  /** SDK member name → the (botocore) shape of its value or of its list items, where that shape has renames below it */
  child?: Record<string, string>;
}

/** Every ec2Query rename in the outputs of the five EC2 operations lbdoctor calls (botocore's `locationName`s). */
export const EC2_SHAPES: Record<string, Ec2Shape> = {
  DescribeSecurityGroupsResult: { rename: { SecurityGroups: "securityGroupInfo" }, child: { SecurityGroups: "SecurityGroup" } },
  SecurityGroup: {
    rename: { Description: "groupDescription", Tags: "tagSet" },
    child: { IpPermissions: "IpPermission", IpPermissionsEgress: "IpPermission" },
  },
  IpPermission: { rename: { UserIdGroupPairs: "groups" } },
  DescribeInstancesResult: { rename: { Reservations: "reservationSet" }, child: { Reservations: "Reservation" } },
  Reservation: { rename: { Groups: "groupSet", Instances: "instancesSet" }, child: { Instances: "Instance" } },
  Instance: {
    rename: {
      BlockDeviceMappings: "blockDeviceMapping",
      ElasticGpuAssociations: "elasticGpuAssociationSet",
      ElasticInferenceAcceleratorAssociations: "elasticInferenceAcceleratorAssociationSet",
      NetworkInterfaces: "networkInterfaceSet",
      SecurityGroups: "groupSet",
      Tags: "tagSet",
      Licenses: "licenseSet",
      SecondaryInterfaces: "secondaryInterfaceSet",
      State: "instanceState",
      PublicDnsName: "dnsName",
      StateTransitionReason: "reason",
      PublicIpAddress: "ipAddress",
    },
    child: {
      NetworkInterfaces: "InstanceNetworkInterface",
      ProductCodes: "ProductCode",
      SecondaryInterfaces: "InstanceSecondaryInterface",
    },
  },
  InstanceNetworkInterface: {
    rename: {
      Groups: "groupSet",
      Ipv6Addresses: "ipv6AddressesSet",
      PrivateIpAddresses: "privateIpAddressesSet",
      Ipv4Prefixes: "ipv4PrefixSet",
      Ipv6Prefixes: "ipv6PrefixSet",
    },
  },
  InstanceSecondaryInterface: { rename: { PrivateIpAddresses: "privateIpAddressSet" } },
  ProductCode: { rename: { ProductCodeId: "productCode", ProductCodeType: "type" } },
  DescribeSubnetsResult: { rename: { Subnets: "subnetSet" }, child: { Subnets: "Subnet" } },
  Subnet: { rename: { Tags: "tagSet" } },
  DescribeNetworkAclsResult: { rename: { NetworkAcls: "networkAclSet" }, child: { NetworkAcls: "NetworkAcl" } },
  NetworkAcl: { rename: { Associations: "associationSet", Entries: "entrySet", IsDefault: "default", Tags: "tagSet" } },
  DescribeRouteTablesResult: { rename: { RouteTables: "routeTableSet" }, child: { RouteTables: "RouteTable" } },
  RouteTable: { rename: { Associations: "associationSet", PropagatingVgws: "propagatingVgwSet", Routes: "routeSet", Tags: "tagSet" } },
  DescribeRegionsResult: { rename: { Regions: "regionInfo" }, child: { Regions: "Region" } },
  Region: { rename: { Endpoint: "regionEndpoint" } },
};

export function lowerFirst(s: string): string {
  return s.length === 0 ? s : s[0]?.toLowerCase() + s.slice(1);
}

/** The wire name of member `member` of shape `shape`, and the shape of its value. */
export function ec2Member(shape: string | undefined, member: string): { wire: string; shape: string | undefined } {
  const def = shape ? EC2_SHAPES[shape] : undefined;
  return { wire: def?.rename?.[member] ?? lowerFirst(member), shape: def?.child?.[member] };
}

/** The members of one ec2Query structure (no enclosing element). */
export function ec2Members(value: Record<string, unknown>, shape: string | undefined): string {
  let out = "";
  for (const [k, v] of Object.entries(value)) {
    const m = ec2Member(shape, k);
    out += ec2Xml(m.wire, v, m.shape);
  }
  return out;
}

/** One ec2Query element `<wire>…</wire>`; `shape` is the shape of the value (of the items, for a list). */
export function ec2Xml(wire: string, value: unknown, shape: string | undefined): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return `<${wire}>${value.map((v) => ec2Xml("item", v, shape)).join("")}</${wire}>`;
  if (typeof value === "object") return `<${wire}>${ec2Members(value as Record<string, unknown>, shape)}</${wire}>`;
  return `<${wire}>${scalar(value)}</${wire}>`;
}
