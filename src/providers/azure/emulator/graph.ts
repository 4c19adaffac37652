/**
 * The Azure Resource Graph endpoint of the ARM emulator:
 * `POST /providers/Microsoft.ResourceGraph/resources?api-version=…`, answering
 * the query shapes lbdoctor sends (docs/resource-graph.md lists them) from the
 * emulator's snapshots, with `$skipToken` paging, a per-user quota (the real
 * service allows about 15 queries per 5 seconds) and per-subscription 403s.
 *
 * Rows are what Resource Graph returns: the `Resources` table's columns, the
 * type lower-cased, wire-format `properties`. A VM's power state is where
 * Resource Graph puts it, `properties.extended.instanceView.powerState`
 * (`{ code: "PowerState/running", level, displayStatus }`), and its
 * `properties.instanceView` is absent. Scale-set instances and their NICs are
 * not in `Resources`, so they are left out as the real service does.
 */
import { randomUUID } from "node:crypto";
import { EmulatorError as GraphError } from "../../../core/emulator/http.ts";
import type { ArmResource } from "../../../providers/azure/wire-types.ts";
import type { ArmStore } from "./store.ts";
import { changeRows, isChangesQuery } from "./time.ts";

export interface GraphQuota {
  /** queries allowed per window, per user (bearer token) */
  queries: number;
  windowMs: number;
}

/** A Resource Graph error answer (the emulators' one error type). */
export { GraphError };

interface ParsedQuery {
  table: "resources" | "resourcecontainers";
  /** lower-cased types the query keeps (undefined: every type) */
  types: Set<string> | undefined;
  project: string[] | undefined;
}

const TENANT = "00000000-0000-0000-0000-0000000000ee";

/**
 * The KQL this emulator understands (whitespace and case are free):
 *   Resources | where type in~ ('t1', 't2', …) [| project c1, c2, …] [| order by id asc]
 *   Resources | where type =~ 't' [| project …] [| order by id asc]
 *   ResourceContainers | where type =~ 'microsoft.resources/subscriptions' [| project …] [| order by …]
 * Anything else is a 400 with code `UnsupportedQuery`.
 */
export function parseQuery(text: string): ParsedQuery {
  const stages = text
    .split("|")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const unsupported = (why: string) =>
    new GraphError(400, "UnsupportedQuery", `The ARM emulator does not support this Resource Graph query (${why}): ${text.slice(0, 200)}`);
  const table = stages.shift()?.toLowerCase();
  if (table !== "resources" && table !== "resourcecontainers") throw unsupported("the table must be Resources or ResourceContainers");
  const q: ParsedQuery = { table, types: undefined, project: undefined };
  for (const stage of stages) {
    const where = /^where\s+type\s+(in~|=~|==)\s*(.+)$/is.exec(stage);
    if (where) {
      const list = (where[2] ?? "").trim();
      const values = [...list.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => (m[1] ?? m[2] ?? "").toLowerCase());
      if (values.length === 0) throw unsupported("a where clause needs quoted types");
      if (where[1] !== "in~" && values.length !== 1) throw unsupported("=~ takes one type");
      q.types = new Set(values);
      continue;
    }
    const project = /^project\s+(.+)$/is.exec(stage);
    if (project) {
      q.project = (project[1] ?? "").split(",").map((c) => c.trim());
      if (q.project.some((c) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(c))) throw unsupported("project takes plain column names");
      continue;
    }
    if (/^(order|sort)\s+by\s+[A-Za-z_]+(\s+(asc|desc))?$/i.test(stage)) continue; // rows always come ordered by id
    throw unsupported(`stage '${stage.split(/\s+/)[0]}'`);
  }
  if (q.table === "resourcecontainers" && (q.types?.size !== 1 || !q.types.has("microsoft.resources/subscriptions"))) {
    throw unsupported("ResourceContainers is served for type microsoft.resources/subscriptions only");
  }
  return q;
}

/** A resource as a Resource Graph row (objectArray result format). */
export function toRow(r: ArmResource): Record<string, unknown> {
  const parts = r.id.split("/");
  const type = r.type.toLowerCase();
  let properties = r.properties ?? {};
  if (type === "microsoft.compute/virtualmachines") {
    const { instanceView, ...rest } = properties as { instanceView?: { statuses?: Array<Record<string, unknown>> } };
    const power = (instanceView?.statuses ?? []).find((s) =>
      String(s.code ?? "")
        .toLowerCase()
        .startsWith("powerstate/"),
    );
    properties = {
      ...rest,
      ...(power
        ? {
            extended: {
              instanceView: { powerState: { code: power.code, level: power.level ?? "Info", displayStatus: power.displayStatus } },
            },
          }
        : {}),
    };
  }
  return {
    id: r.id,
    name: r.name,
    type,
    tenantId: TENANT,
    kind: "",
    location: r.location ?? "",
    resourceGroup: (parts[4] ?? "").toLowerCase(),
    subscriptionId: parts[2] ?? "",
    managedBy: "",
    sku: r.sku ?? null,
    plan: null,
    properties,
    tags: r.tags ?? null,
    identity: null,
    zones: r.zones ?? null,
    extendedLocation: null,
  };
}

export interface GraphState {
  /** per user: send times within the window */
  recent: Map<string, number[]>;
}

export function newGraphState(): GraphState {
  return { recent: new Map() };
}

function hhmmss(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/**
 * Charges one query to the user's quota. Returns the quota headers for the
 * reply, or throws a 429 (with `Retry-After`) when the window is full.
 */
export function chargeQuota(state: GraphState, user: string, quota: GraphQuota | undefined, now = Date.now()): Record<string, string> {
  if (!quota) return {};
  const sent = (state.recent.get(user) ?? []).filter((t) => now - t < quota.windowMs);
  state.recent.set(user, sent);
  const resetsAfter = sent.length > 0 ? quota.windowMs - (now - (sent[0] as number)) : quota.windowMs;
  if (sent.length >= quota.queries) {
    throw new GraphError(
      429,
      "RateLimiting",
      `Please provide below info when asking for support: the user quota of ${quota.queries} queries per ${quota.windowMs / 1000} seconds is exhausted (ARM emulator).`,
      {
        "x-ms-user-quota-remaining": "0",
        "x-ms-user-quota-resets-after": hhmmss(resetsAfter),
        "retry-after": String(Math.max(1, Math.ceil(resetsAfter / 1000))),
      },
    );
  }
  sent.push(now);
  return {
    "x-ms-user-quota-remaining": String(quota.queries - sent.length),
    "x-ms-user-quota-resets-after": hhmmss(sent.length > 1 ? quota.windowMs - (now - (sent[0] as number)) : quota.windowMs),
  };
}

interface Request {
  subscriptions?: unknown;
  query?: unknown;
  options?: { $top?: unknown; $skip?: unknown; $skipToken?: unknown; resultFormat?: unknown };
}

/** An error detail of a Resource Graph answer (`error.details[]`). */
export interface GraphErrorDetail {
  code: string;
  message: string;
}

/**
 * Resource Graph's 400 for a request it will not run: `{ error: { code: "BadRequest", message: "Please provide below
 * info when asking for support: timestamp = …, correlationId = ….", details: [{ code, message }, …] } }`, the reason
 * in `details` (the shape in Azure/azure-powershell's Resource Graph scenario tests, Search-AzureRmGraph-QueryError,
 * and https://github.com/Azure/azure-sdk-for-js/issues/12780).
 */
export function graphBadRequest(details: GraphErrorDetail[]): GraphError & { details: GraphErrorDetail[] } {
  const message = `Please provide below info when asking for support: timestamp = ${new Date().toISOString()}, correlationId = ${randomUUID()}.`;
  return Object.assign(new GraphError(400, "BadRequest", message), { details });
}

/**
 * The request options as the service validates them: `$top` an integer from 1 to 1000, `$skip` an integer from 0,
 * `$skipToken` a string, `resultFormat` `objectArray` or `table` (QueryRequestOptions in
 * azure-rest-api-specs specification/resourcegraph/resource-manager/Microsoft.ResourceGraph/stable/2024-04-01/resourcegraph.json).
 * The service does not publish the detail it gives for each; the emulator names the option, its range and the value.
 */
function checkOptions(options: unknown): void {
  if (options === undefined || options === null) return;
  const bad = (what: string) => {
    throw graphBadRequest([{ code: "InvalidQueryRequestOptions", message: what }]);
  };
  if (typeof options !== "object" || Array.isArray(options)) bad("The query request options must be an object.");
  const o = options as Record<string, unknown>;
  const int = (name: string, min: number, max?: number) => {
    const v = o[name];
    if (v === undefined || v === null) return;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || (max !== undefined && v > max)) {
      const range = max === undefined ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
      bad(`The value of '${name}' must be ${range}; it was ${JSON.stringify(v)?.slice(0, 40)}.`);
    }
  };
  int("$top", 1, 1000);
  int("$skip", 0);
  if (o.$skipToken !== undefined && o.$skipToken !== null && typeof o.$skipToken !== "string")
    bad("The value of '$skipToken' must be a string.");
  if (o.resultFormat !== undefined && o.resultFormat !== null && o.resultFormat !== "objectArray" && o.resultFormat !== "table") {
    bad(`The value of 'resultFormat' must be 'objectArray' or 'table'; it was ${JSON.stringify(o.resultFormat)?.slice(0, 40)}.`);
  }
}

/**
 * Answers one query. `forbidden`: lower-cased subscriptions the caller may not read, refused with a 403
 * (`forbiddenChanges`: only their resourcechanges); `unreadable`: subscriptions the caller holds no role on, left out
 * of every answer without an error, as Resource Graph does, unless no named subscription is readable: then the
 * request is a 400 `NoValidSubscriptionsInQueryRequest`. `unreadableGroups`: resource groups (lower-cased
 * `/subscriptions/<id>/resourcegroups/<name>`) the caller holds no role on while it holds roles on others of the same
 * subscription: their rows (and their resources' changes) are left out without an error, and `ResourceContainers`
 * does not list the subscription.
 */
export function answerQuery(
  store: ArmStore,
  bodyText: string,
  forbidden: Set<string>,
  forbiddenChanges: Set<string> = new Set(),
  unreadable: Set<string> = new Set(),
  unreadableGroups: Set<string> = new Set(),
): Record<string, unknown> {
  let req: Request;
  try {
    req = JSON.parse(bodyText || "null") as Request;
  } catch {
    throw new GraphError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
  }
  if (!req || typeof req.query !== "string") throw new GraphError(400, "BadRequest", "The query is missing.");
  checkOptions(req.options);
  const changes = isChangesQuery(req.query);
  const q = changes ? undefined : parseQuery(req.query);
  const subs = Array.isArray(req.subscriptions) ? (req.subscriptions as unknown[]).map((s) => String(s).toLowerCase()) : undefined;
  if (subs && subs.length > 1000) throw new GraphError(400, "BadRequest", "At most 1000 subscriptions can be queried at once.");
  for (const s of subs ?? []) {
    if (forbidden.has(s) || (changes && forbiddenChanges.has(s))) {
      throw new GraphError(
        403,
        "AuthorizationFailed",
        `The client does not have authorization to perform action 'Microsoft.ResourceGraph/resources/read' over scope '/subscriptions/${s}' or the scope is invalid (injected by the ARM emulator).`,
      );
    }
  }
  // named subscriptions none of which the caller can read (unknown to the store, or held no role on): Resource Graph
  // refuses the request, 400 BadRequest with the reason in details (the body quoted in
  // https://github.com/Azure/aztfexport/issues/491 and #475; how it joins several ids in 'Given' is not documented)
  if (subs && !subs.some((s) => store.subscriptions.has(s) && !unreadable.has(s) && !forbidden.has(s))) {
    throw graphBadRequest([
      {
        code: "NoValidSubscriptionsInQueryRequest",
        message: `There must be at least one subscription that is eligible to contain resources. Given: '${subs.join(",").slice(0, 2000)}'.`,
      },
    ]);
  }
  // the scope: the named subscriptions, or every readable one (tenant scope); those the caller holds no role on
  // are left out either way, without an error
  const readable = [...store.subscriptions].filter((s) => !forbidden.has(s) && !unreadable.has(s));
  const scope = new Set((subs ?? readable).filter((s) => !unreadable.has(s)));

  let rows: Array<Record<string, unknown>>;
  if (!q) {
    rows = changeRows(store, req.query, scope, unreadableGroups) as Array<Record<string, unknown>>;
  } else if (q.table === "resourcecontainers") {
    // a subscription some of whose resource groups the caller cannot read: its role assignments are on resource
    // groups, not on the subscription, so the subscription itself is not listed
    const partial = new Set([...unreadableGroups].map((g) => g.split("/")[2] ?? ""));
    rows = [...scope]
      .filter((s) => store.subscriptions.has(s) && !partial.has(s))
      .sort()
      .map((s) => ({
        id: `/subscriptions/${s}`,
        name: s,
        type: "microsoft.resources/subscriptions",
        tenantId: TENANT,
        subscriptionId: s,
        properties: { state: "Enabled" },
      }));
  } else {
    const picked: Array<[string, ArmResource]> = [];
    for (const [k, r] of store.resources) {
      const sub = k.split("/")[2] ?? "";
      if (!scope.has(sub)) continue;
      if (unreadableGroups.size > 0 && unreadableGroups.has(k.split("/").slice(0, 5).join("/"))) continue; // left out, no error
      if (k.includes("/virtualmachinescalesets/") && k.split("/").length > 9) continue; // instances and their NICs: not in Resources
      if (q.types && !q.types.has(r.type.toLowerCase())) continue;
      picked.push([k, r]);
    }
    picked.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    rows = picked.map(([, r]) => toRow(r));
  }
  if (q?.project) {
    const cols = q.project;
    rows = rows.map((row) => Object.fromEntries(cols.map((c) => [c, row[c] ?? null])));
  }

  const top = typeof req.options?.$top === "number" ? req.options.$top : 100;
  let skip = typeof req.options?.$skip === "number" ? req.options.$skip : 0;
  const token = req.options?.$skipToken;
  if (typeof token === "string" && token !== "") {
    const m = /^emu:(\d+):(.*)$/.exec(Buffer.from(token, "base64").toString("utf8"));
    if (!m || m[2] !== String(req.query).length.toString(36))
      throw new GraphError(400, "InvalidSkipToken", "The $skipToken is not valid for this query.");
    skip = Number(m[1]);
  }
  const data = rows.slice(skip, skip + top);
  const out: Record<string, unknown> = { totalRecords: rows.length, count: data.length, data, facets: [], resultTruncated: "false" };
  if (skip + top < rows.length) {
    out.$skipToken = Buffer.from(`emu:${skip + top}:${String(req.query).length.toString(36)}`).toString("base64");
  }
  return out;
}
