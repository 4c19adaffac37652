/**
 * The api-versions the ARM emulator accepts, per resource provider, and the
 * errors ARM answers for any other.
 *
 * By default (`apiVersions: "any"`) the emulator takes any value shaped like
 * an api-version: each operation of the Azure SDK sends its own version, which
 * a minor release of a package may move on, and an installed lbdoctor resolves
 * its packages' newest minor releases; its demo must keep working. A value that
 * is no version at all is refused as ARM refuses it.
 *
 * With `apiVersions: "sdk"` it takes exactly what the installed SDK packages
 * send for the operations it serves (each operation's `"api%2Dversion"` in
 * `node_modules/@azure/arm-<package>/dist/esm/api/<group>/operations.js`;
 * test/emulator-arm.test.ts checks these lists against the installed packages),
 * so that a client sending a version the real provider would not take fails
 * here as it would against Azure:
 *
 *   - a list (a collection GET): 404 `InvalidResourceType`, "The resource type
 *     'loadBalancers' could not be found in the namespace 'Microsoft.Network'
 *     for api version '2020-04-01'. The supported api-versions are '…,…'."
 *     (https://github.com/Azure/azure-cli/issues/13834, status 404 as in
 *     https://github.com/Azure/azure-sdk-for-js/issues/15460; Resource Graph
 *     answers the same, https://github.com/microsoft/ARI/issues/306);
 *   - one resource, or an action on it: 400 `NoRegisteredProviderFound`, "No
 *     registered resource provider found for location 'eastus' and API
 *     version '2023-11-01' for type 'networkInterfaces'. The supported
 *     api-versions are '…, …'. The supported locations are '…, …'."
 *     (https://github.com/Azure/azure-cli/issues/28496,
 *     https://github.com/pulumi/pulumi-azure-nextgen/issues/170: Status=400);
 *   - ARM's own resources (a resource group), and a value that is no version
 *     at all: 400 `InvalidApiVersionParameter`, "The api-version '2023-02-01'
 *     is invalid. The supported versions are '…,…'."
 *     (https://github.com/Azure/azure-cli/issues/28038).
 */
import { EmulatorError } from "../../../core/emulator/http.ts";
import type { ArmStore } from "./store.ts";

/** @azure/arm-network 39.x: every operation the emulator serves. */
export const NETWORK_API_VERSIONS = ["2026-01-01"] as const;
/**
 * @azure/arm-network 39.x: a scale set's NICs and their IP configurations and public IPs (`Microsoft.Compute/virtualMachineScaleSets/…/networkInterfaces`),
 * which the package still sends at 2018-10-01 (networkInterfaces.listVirtualMachineScaleSet(VM)NetworkInterfaces, getVirtualMachineScaleSetNetworkInterface).
 */
export const SCALE_SET_NETWORK_API_VERSIONS = ["2018-10-01"] as const;
/** @azure/arm-compute 25.x: virtual machines, availability sets, scale sets and their instances, run command. */
export const COMPUTE_API_VERSIONS = ["2026-04-01"] as const;
/** @azure/arm-resourcegraph 5.x: `resources` (the collectors' resources, subscriptions and resourcechanges queries). */
export const RESOURCE_GRAPH_API_VERSIONS = ["2024-04-01"] as const;
/** @azure/arm-monitor 8.x: metrics.list. */
export const METRICS_API_VERSIONS = ["2024-02-01"] as const;
/** @azure/arm-monitor 8.x: activityLogs.list. */
export const ACTIVITY_LOG_API_VERSIONS = ["2015-04-01"] as const;
/**
 * Microsoft.Resources (a resource group): no installed package and no collector reads it; the versions ARM lists as
 * supported in https://github.com/ansible-collections/azure/issues/1739 and https://github.com/Azure/azure-cli/issues/28038.
 */
export const RESOURCES_API_VERSIONS = [
  "2024-08-01",
  "2024-06-01-preview",
  "2024-03-01",
  "2023-07-01",
  "2023-07-01-preview",
  "2023-03-01-preview",
  "2022-12-01",
  "2022-11-01-preview",
  "2022-09-01",
  "2022-06-01",
  "2022-05-01",
  "2022-03-01-preview",
  "2022-01-01",
  "2021-04-01",
  "2021-01-01",
  "2020-10-01",
  "2020-09-01",
  "2020-08-01",
  "2020-07-01",
  "2020-06-01",
  "2020-05-01",
  "2020-01-01",
  "2019-11-01",
  "2019-10-01",
  "2019-09-01",
  "2019-08-01",
  "2019-07-01",
  "2019-06-01",
  "2019-05-10",
  "2019-05-01",
  "2019-03-01",
  "2018-11-01",
  "2018-09-01",
  "2018-08-01",
  "2018-07-01",
  "2018-06-01",
  "2018-05-01",
  "2018-02-01",
  "2018-01-01",
  "2017-12-01",
  "2017-08-01",
  "2017-06-01",
  "2017-05-10",
  "2017-05-01",
  "2017-03-01",
  "2016-09-01",
  "2016-07-01",
  "2016-06-01",
  "2016-02-01",
  "2015-11-01",
  "2015-01-01",
] as const;

/** What a path is to ARM: its provider namespace, resource type (`loadBalancers`, `virtualMachineScaleSets/virtualMachines`) and the versions it takes. */
export interface ApiTarget {
  namespace: string;
  type: string;
  /** a collection (a list), one resource, an action on one, or ARM's own (a resource group) */
  kind: "list" | "resource" | "action" | "arm";
  versions: readonly string[];
}

/**
 * The provider, type and versions of a request path (decoded, as sent: types keep the caller's casing in messages).
 * Undefined: a path the emulator does not serve (it answers those itself).
 */
export function apiTarget(method: string, path: string): ApiTarget | undefined {
  const parts = path.split("/").filter((p) => p !== "");
  const lower = parts.map((p) => p.toLowerCase());
  const at = lower.lastIndexOf("providers");
  if (at < 0) {
    // /subscriptions/{s}/resourceGroups/{g}
    if (lower[0] === "subscriptions" && lower[2] === "resourcegroups" && parts.length === 4) {
      return { namespace: "Microsoft.Resources", type: "resourceGroups", kind: "arm", versions: RESOURCES_API_VERSIONS };
    }
    return undefined;
  }
  const namespace = parts[at + 1] ?? "";
  const ns = namespace.toLowerCase();
  // the segments after the namespace: type/name pairs, a trailing type (a list) or action (a POST)
  const rest = parts.slice(at + 2);
  const action = method === "POST" && rest.length % 2 === 1 && ns !== "microsoft.resourcegraph";
  const kind: ApiTarget["kind"] = action ? "action" : rest.length % 2 === 1 ? "list" : "resource";
  const typeParts = rest.filter((_, i) => i % 2 === 0).slice(0, action ? -1 : undefined);
  const type = typeParts.join("/");
  const t = type.toLowerCase();
  let versions: readonly string[] | undefined;
  if (ns === "microsoft.network") versions = NETWORK_API_VERSIONS;
  else if (ns === "microsoft.compute") {
    versions = /^virtualmachinescalesets(\/virtualmachines)?\/(networkinterfaces|publicipaddresses)(\/|$)/.test(t)
      ? SCALE_SET_NETWORK_API_VERSIONS
      : COMPUTE_API_VERSIONS;
  } else if (ns === "microsoft.resourcegraph") versions = RESOURCE_GRAPH_API_VERSIONS;
  else if (ns === "microsoft.insights") {
    if (t === "metrics") versions = METRICS_API_VERSIONS;
    else if (t === "eventtypes/values") versions = ACTIVITY_LOG_API_VERSIONS;
  }
  if (!versions) return undefined;
  return { namespace, type, kind, versions };
}

/** Which api-versions the emulator takes: any shaped like one, or only those the installed SDK packages send (see the file comment). */
export type ApiVersionMode = "any" | "sdk";

/** A value shaped like an api-version: a date, optionally with a suffix (`2024-04-01`, `2021-06-01-preview`). */
const VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}(-[A-Za-z]+)?$/;

/**
 * Throws the error ARM answers when `version` is not one the provider takes for this path: with `mode` "any", only a
 * value that is no version at all (see the file comment); `store` gives the location a resource-level error names.
 */
export function checkApiVersion(method: string, path: string, version: string, store: ArmStore, mode: ApiVersionMode = "any"): void {
  const target = apiTarget(method, path);
  if (!target) return;
  const { namespace, type, kind, versions } = target;
  if (versions.includes(version) || (mode === "any" && VERSION_SHAPE.test(version))) return;
  if (kind === "arm" || !VERSION_SHAPE.test(version)) {
    throw new EmulatorError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${version}' is invalid. The supported versions are '${versions.join(",")}'.`,
    );
  }
  if (kind === "list") {
    throw new EmulatorError(
      404,
      "InvalidResourceType",
      `The resource type '${type}' could not be found in the namespace '${namespace}' for api version '${version}'. The supported api-versions are '${versions.join(",")}'.`,
    );
  }
  const locations = store.locations();
  const location = store.locationOf(path) ?? locations[0] ?? "westeurope";
  throw new EmulatorError(
    400,
    "NoRegisteredProviderFound",
    `No registered resource provider found for location '${location}' and API version '${version}' for type '${type}'. The supported api-versions are '${versions.join(", ")}'. The supported locations are '${(locations.length > 0 ? locations : [location]).join(", ")}'.`,
  );
}
