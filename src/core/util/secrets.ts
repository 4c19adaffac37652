/**
 * Secrets never reach a snapshot or a report: VM osProfile, customData,
 * userData and protected extension settings are removed, and any string that
 * looks like a key, a password, a SAS token or a connection string is masked.
 *
 * The collectors apply this to what they fetch; `check` and `diff` apply it
 * again to snapshot files, whose origin they cannot vouch for, before any
 * evidence value is rendered.
 */
import { findTooDeep, MAX_DEPTH } from "./depth.ts";

const SECRET_KEYS = new Set([
  "osprofile",
  "customdata",
  "userdata",
  "protectedsettings",
  "protectedsettingsfromkeyvault",
  "adminpassword",
  "password",
  "secrets",
  // AWS credentials, wherever a document carries them
  "secretaccesskey",
  "aws_secret_access_key",
  "sessiontoken",
  "aws_session_token",
]);
export const REDACTED = "[redacted]";
/**
 * A property whose name ends in a password's or a secret's name also carries one (any case, any separator before it:
 * `dbPassword`, a tag `db-password`, an AWS tag key `db_pwd`, OIDC's `ClientSecret`; the ARM quickstarts'
 * `adminPasswordOrKey`, a password or an SSH public key). Not `token` (`NextToken`, `$skipToken` page on) nor `key`
 * (`sshPublicKey`, `keyData`: removed whole, these would lose public keys; a key's name masks its value instead,
 * see SECRET_VALUE_NAME).
 */
const SECRET_NAME_END = "(?:pass(?:wor)?d(?:[_-]?or[_-]?key)?|pwd|secret)";
const SECRET_NAME = new RegExp(`${SECRET_NAME_END}$`);

/** An AWS access key id (long-term AKIA, temporary ASIA, and the other documented prefixes). */
const AWS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/g;
/** The same, to test a string with (no `lastIndex` to reset). */
const AWS_KEY_ID_IN = new RegExp(AWS_KEY_ID.source);
/** A 40-character secret access key: masked in a string that also holds an access key id (alone, 40 base64 characters are too common). */
const AWS_SECRET = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/**
 * HTTP request headers whose value is a credential, whatever its scheme (`Authorization: Basic <base64 user:password>`,
 * `token ghp_…`, `SharedKey account:signature`, `Digest … response="…"`), as a curl command, a request a record kept
 * or guest output shows them: https://www.rfc-editor.org/rfc/rfc9110#name-authorization, RFC 6265 (cookies), and the
 * API-key headers of Azure API Management and Functions (`Ocp-Apim-Subscription-Key`, `x-functions-key`).
 */
const HEADER_NAMES = [
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "api-key",
  "x-auth-token",
  "x-functions-key",
  "ocp-apim-subscription-key",
  "x-amz-security-token",
  "cookie",
  "set-cookie",
];
/** An Authorization scheme, shown before the masked credentials (RFC 9110 §11.6.2; the IANA registry, and cloud schemes). */
const AUTH_SCHEME =
  "(?:(?:basic|bearer|digest|token|sharedkey(?:lite)?|aws4-hmac-sha256|negotiate|ntlm|hoba|mutual|scram-sha-(?:1|256)|vapid|sso-key|apikey|key|signature)\\s+)?";
/**
 * A header value's characters: to the end of the line or a quote (a backslash only as an escape of something else;
 * an escaped backslash, two backslashes, taken whole: JSON text whose value ends in one keeps its closing quote).
 */
const HEADER_CHARS = `[^\\r\\n"'\\\\]|\\\\\\\\|\\\\(?!["'\\\\])`;
const HEADER_VALUE = `(?:${HEADER_CHARS})+`;
/**
 * A quoted parameter inside a header line's value (`Cookie: sid="…"`, `Digest … response="…"`), taken whole, bare or
 * backslash-escaped (in JSON text, a double-quoted argument), empty too (`Cookie: a=""; b=…`: what follows it is the
 * header's still). Never what spans the JSON between two strings (`a=","b"`, `a=",[1,"`: the end of one string, which
 * only `,` `:` `]` `}` can follow, and the start of the next, which only `,` `:` `[` `{` can precede), and a bare one
 * only where the parameter ends there (`,` `;`, the line's end, a closing `'`).
 */
const QUOTED_PARAM = `=\\\\"(?!\\s*[,:\\]}](?:[^"\\r\\n]*[,:\\[{])?\\s*\\\\")(?:[^"\\r\\n\\\\]|\\\\[^"\\r\\n])*\\\\"|="(?!\\s*[,:\\]}](?:[^"\\r\\n\\\\]*[,:\\[{])?\\s*")[^"\\r\\n\\\\]*"(?=[ \\t]*(?:[,;\\r\\n]|$)|')`;
/**
 * A quote inside a header line's value, not its end: quotes (bare or escaped) that a value character follows
 * (`Cookie: a=x"y; b=…`, `a=''; b=…`, `sid="v"x; …`). A closing quote never is one: in JSON text only `,` `:` `]` `}`
 * or space follow a string's end, and in a command line a space.
 */
const INNER_QUOTE = `(?:\\\\?["'])+(?=[\\w%+/=.~!#$&*^|;-])`;
/**
 * Such a header and its value in a header line or a quoted curl argument (`Authorization: Basic …`): the value runs
 * to the end of the line or the first quote that may close it (one right after the colon opens it: HEADER_MEMBER's);
 * the scheme stays shown. Not a JSON object or array after the colon (an Activity Log's `authorization` member is
 * `{action, scope}`).
 */
const HEADER_LINE = new RegExp(
  `(?<![\\w-])(${HEADER_NAMES.join("|")})(\\s*:[ \\t]*)(${AUTH_SCHEME})(?!\\s|\\{|\\[(?!redacted\\]))(?:${QUOTED_PARAM}|${HEADER_CHARS})(?:${QUOTED_PARAM}|${HEADER_CHARS}|${INNER_QUOTE})*`,
  "gi",
);
/**
 * The same as a JSON member, also JSON-escaped (`"authorization": "Basic …"`): only a string value is masked. Or
 * quoted after the colon only, as YAML and config dumps write it (`authorization: "Basic …"`, `Cookie: 'a=b'`), but
 * not where that quote ends a JSON string (`["authorization:",1]`: only `,` `:` `]` `}` or the end follow one).
 */
const HEADER_MEMBER = new RegExp(
  `(?<![\\w-])(${HEADER_NAMES.join("|")})(\\\\?["']\\s*:\\s*\\\\?["']|\\s*:\\s*\\\\?["'](?!\\s*(?:[,:\\]}]|$)))(${AUTH_SCHEME})${HEADER_VALUE}`,
  "gi",
);
/** A word in any case, as a pattern: `[Pp][Ww][Dd]` (the pre-check is case-sensitive but for these). */
const anyCase = (word: string): string => word.replace(/[a-z]/gi, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
/**
 * Every shape below needs one of these: most strings have none, and skip the regex passes (hot on large snapshots).
 * Case-sensitive where the shape is (PEM, JWT and AWS key ids are), so that one pass stays cheap. An option (`-u`, `-p`,
 * `--…`, PowerShell's `-Password`) after a space or at the start may be a command line's credential option (CLI_HINT:
 * an alternative here costs less than a pass of its own).
 */
const HINT = new RegExp(
  `=|-----BEGIN|eyJ|A(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|NPA|NVA|PKA)|${anyCase("SharedAccessSignature")}|${anyCase("bearer")}\\s|["']\\s*:|:\\s*['"]|(?:${anyCase("pass")}(?:${anyCase("w")}(?:${anyCase("or")})?${anyCase("d")}|${anyCase("phrase")})|${anyCase("pwd")})\\s*:`,
);
/**
 * The credential headers' pre-check, apart from HINT (where their names cost every string a third more): only a
 * string with a `:` takes it. A YAML line's secret (`clientSecret: x`, `adminPasswordOrKey: x`, `API_KEY: x`,
 * `token: x`: maskYamlLines) too.
 */
const HEADER_HINT = new RegExp(
  `(?:${[...HEADER_NAMES, "secret", "key", "token", "signature"].map(anyCase).join("|")}|${anyCase("password")}[_-]?${anyCase("or")}[_-]?${anyCase("key")})\\s*:`,
);
/**
 * A command line's credential options (`curl -u user:pw`, `-b 'sid=…'`, `--admin-password x`, `mysql -pX`,
 * `login -p X`, `sqlcmd -P X`): each of these shapes starts with one of these. Apart from HINT: as an alternative
 * there, its lookbehind cost every string of a snapshot a fifth more; `hinted` tests it only on a string with an option.
 */
const CLI_HINT = /(?<![^\s])[-\u2013\u2014\u2015][-A-Za-z]/;
/**
 * A command line's credential given as an operand, no option before it (`aws configure set aws_secret_access_key …`,
 * `net user NAME PASSWORD`, `net use \\srv\share PASSWORD`, `echo 'user:pw' | chpasswd`, `chpasswd <<EOF`; PsExec's
 * `/p PASSWORD`, a switch that no `-` starts), or
 * PowerShell's plain text with no ASCII option (`'pw' | ConvertTo-SecureString`, `ConvertTo-SecureString 'pw'
 * –AsPlainText`, an en dash): tested as CLI_HINT is, only on a string with a space.
 */
const WORD_HINT = /configure[ \t]+set|net(?:1|\.exe)?(?:\\{0,7}["'])?[ \t]+use|chpasswd|convertto-securestring|psexec/i;
/**
 * A URL's `://`, also JSON-escaped (`https:\/\/…`: JSON text, or a script, that escapes its slashes; `https:\\\/…`,
 * JSON text in JSON text; `https:\u002f…`): URL_SCHEME's.
 */
function hasScheme(s: string): boolean {
  if (s.includes("://")) return true;
  // `:\/`, `:\\\/`, `:\u002f`: not a Windows path's `C:\Users` (each run of backslashes read once)
  for (let i = s.indexOf(":\\"); i !== -1; i = s.indexOf(":\\", i + 2)) {
    let j = i + 2;
    while (s.charCodeAt(j) === 92) j++;
    if (s.charCodeAt(j) === 47 || (s.startsWith("u002", j) && (s.charCodeAt(j + 4) | 32) === 102)) return true;
  }
  return false;
}

/** A command line has a space (or a tab or a line break) between its words; a resource id, a name, an enum value none. */
const WHITESPACE = /\s/;

/**
 * Whether a string may hold any shape below (most hold none). A credential in a URL needs `://` and `@`: substring
 * tests, not a pattern (`:\/\/\S*@` took quadratic time on a string of many `://`).
 */
function hinted(s: string): boolean {
  return (
    HINT.test(s) ||
    (s.includes(":") && (HEADER_HINT.test(s) || (s.includes("@") && hasScheme(s)) || LITERAL_NUMBER_HINT.test(s))) ||
    // an option, after a space, a tab or a line break (a resource id's dashes never are), or an argv's element in a
    // JSON array's text (`["mysql","-pX"]`, `["net","user","bob","pw"]`, `[…,"set","aws_secret_access_key","x"]`)
    (WHITESPACE.test(s) && (CLI_HINT.test(s) || WORD_HINT.test(s))) ||
    (s.charCodeAt(0) === 91 && (s.includes('"-') || ARGV_WORD_HINT.test(s)))
  );
}

/** A number after an unquoted name in an object literal (`{apiKey: 42}`: JSON_NUMBER's), tested only on a string with a `:`. */
const LITERAL_NUMBER_HINT = /[{,]\s*[\w.-]+\s*:\s*-?\d/;
/**
 * An argv's word before an operand credential (TOOL_OPERANDS; net use's, see netUsePassword; PsExec's `/p`), in a JSON
 * array's text: only a string that starts with `[`.
 */
const ARGV_WORD_HINT = /"(?:set|user?|\/p)"/i;

/**
 * A value named by a secret-naming key, also at the end of a longer name (`X-Amz-Signature`, `db_password`,
 * `aws_session_token`; never `tokenizer=`): after `=`, quoted or not (`Password="hunter2"`, `token=abc123`); after `:`,
 * quoted (`password: 'x'`, `"token": "x"`, also JSON-escaped, to any level: `\\\"token\\\": \\\"x\\\"`, JSON text in
 * JSON text in a script), or any value after a password's or a passphrase's name (`password: x`, but not a YAML
 * comment: `password: # set by CI` at a line's start, an escaped line's or a string's). A YAML line whose key names
 * one (`clientSecret: x y`, `API_KEY: x`, a block scalar) is maskYamlLines' (not elsewhere: `secret: x` in prose may
 * name one).
 * A storage account's key (`AZURE_STORAGE_KEY`, `storageAccountKey`), a service's shared access key (`primaryKey`,
 * `secondaryKey`: Service Bus, Event Hubs, Redis), a VPN connection's pre-shared key (`sharedKey`, AWS's
 * `PreSharedKey`), a secret key (`SECRET_KEY`, `secretKey`) and the ARM quickstarts' `adminPasswordOrKey` name one
 * too; a key's name (`keyName`), id (`keyVaultId`) or public half (`sshPublicKeys`, `keyData`, `publicKey`) none.
 * An `.npmrc` line's `_auth=` (`//registry.npmjs.org/:_auth=…`; not `skip_auth=`; `_authToken=`, `_password=` end
 * as a token's and a password's names do).
 * A paging token (`$skiptoken=`, `NextToken=`, `pageToken=`, `continuationToken=`, `next_token=`, `x-ms-continuation-token`)
 * names no secret.
 * Only the value is masked: the name, the separator and the quotes stay (an opening quote never closed goes with it;
 * a closing one keeps its backslash: `{\"c\":\"Password=x\"}`, JSON text in a string, stays JSON).
 * A password's value may follow on the next line (`Enter password:` then `hunter2`; a line break escaped as JSON text
 * writes it too, `password:\n  hunter2`), never as a line that NO_VALUE_LINE reads (`password:` then `user: u`,
 * `  valueFrom: vault`: the document's next mapping, not the value; a comment, a log line, a sentence). A value ends at
 * an escaped line break in JSON text (`Password=x\nnext`: the next line is no part of it; NAMED_SECRET_PLAIN's does
 * not, `Password=C:\new\pw`).
 */
const SECRET_VALUE_NAME =
  /access[_-]?key|account[_-]?key|api[_-]?key|storage[_-]?key|(?:primary|secondary|shared|secret)[_-]?key|pass(?:(?:wor)?d(?:[_-]?or[_-]?key)?|phrase)|pwd(?:(?<!\$\{?pwd)|(?!\}?(?::?\/|(?![\w}])(?![ \t]*[=:]))))|secret|_auth(?<![\w-]_auth)|(?<!(?:skip|next|page|continuation|starting)[_-]?)token|signature/
    .source;
/**
 * A password's name, whose value may be any word after a `:` (a passphrase's too). SECRET_VALUE_NAME's `pwd` is not the
 * shell's `$PWD` or `${PWD}` (the working directory) where a path uses it: before a `/`, a `:/` (`-v $PWD:/w`) or a
 * word's end (`cd $PWD`), though not before a `=` or a `:` (`$pwd = "x"`, PowerShell's variable, holds a password).
 */
const PASSWORD_NAME = "pass(?:(?:wor)?d(?:[_-]?or[_-]?key)?|phrase)|pwd";
/** A line break as JSON text writes it in a string, to any level of JSON text in JSON text (`\n`, `\r\n`, `\\n`). */
const ESC_BREAK = "\\\\{1,7}(?:r\\\\{1,7})?n";
/** The same, found in a value (NAMED_SECRET_PLAIN's, below an escaped line break). */
const ESC_BREAK_AT = new RegExp(ESC_BREAK);
/** The end of a line: the string's, a line break, or one escaped as JSON text writes it. */
const LINE_END = `(?:$|[\\r\\n]|${ESC_BREAK})`;
/** A log line's time (`10:00:00`, `10:00:00.123Z`, `10:00:00+02:00`). */
const LOG_TIME = "\\d\\d?:\\d\\d:\\d\\d(?:[.,]\\d+)?(?:Z|[+-]\\d\\d:?\\d\\d)?";
/** A log line's date (`2024-01-01`, `2024/01/01`). */
const LOG_DATE = "\\d{4}[-/]\\d\\d[-/]\\d\\d";
/**
 * What a password's value on the next line never is: a line that reads as a key (`user: u`, `user:` then more), a
 * comment (`# from vault`), a sequence's item (`- name: x`: maskYamlLines reads one below a key), a log line's
 * timestamp, a space or the line's end after it (`2024-01-01 INFO ok`, `[2024-01-01T10:00:00Z]`, `10:00:00`; not
 * `12:34:56abc`, `[2024-01-01]x`, nor a date alone, `2024-01-01`: values), or a sentence (`The next step is below.`: a
 * capitalized word that starts one, in that case, then two words at least, the last one ending the line with a `.`,
 * a `!` or a `?`). Not a single word, capitalized or not (`Enter password:` then `hunter2`, `Hunter2`), nor words that
 * make no sentence (`Correct horse …`, `Open Sesame`, `The quick brown fox`: the first word is masked, as on the key's
 * line).
 */
const NO_VALUE_LINE = `[\\w.-]*:(?:\\s|$|${ESC_BREAK})|[#-](?:\\s|$|${ESC_BREAK})|\\[?${LOG_DATE}(?:[T ]${LOG_TIME})?\\]?[ \\t]|\\[?(?:${LOG_DATE}[T ])?${LOG_TIME}\\]?(?=[ \\t]|${LINE_END})|(?-i:(?:The|This|That|These|Those|Then|Next|Now|Note|See|Use|Run|Enter|Type|If|When|Once|After|Before|In|On|For|To|You|We|It|Its|Our|Your|Set|Click|Select|Press|Open|Go|Check|Make|And|But|Or|So|Also|A|An)[ \\t]+[^\\s\\\\]+[ \\t]+[^\\r\\n\\\\]{0,240}?[^\\s\\\\][.!?][ \\t]*${LINE_END})`;
/** A quote, escaped to any level of JSON text in JSON text (`"`, `\"`, `\\\"`; bounded: see URL_SCHEME). */
const ESC_QUOTE = `\\\\{0,7}["']`;
/** NAMED_SECRET's, its value's backslash before what `backslash` reads (not a quote, nor what ends the value). */
const namedSecret = (backslash: string): RegExp =>
  new RegExp(
    `(${SECRET_VALUE_NAME})((?:${ESC_QUOTE})?\\s*=\\s*|(?:${ESC_QUOTE})?\\s*:\\s*(?=${ESC_QUOTE})|(?<=${PASSWORD_NAME})\\s*:(?:[ \\t]*(?![\\r\\n]|${ESC_BREAK})|(?:\\s|${ESC_BREAK})*(?!\\s|${ESC_BREAK}|${NO_VALUE_LINE}))(?!#(?=\\s|$)(?<=(?:^|[\\r\\n]|${ESC_BREAK}|${ESC_QUOTE})(?:[ \\t]|\\\\{1,7}t)*(?:-[ \\t]+)?[\\w.-]*(?:${PASSWORD_NAME})[ \\t]*:[ \\t]+#)))(?:(${ESC_QUOTE})(?:(?!\\3)[^\\n])*\\3|(?:${ESC_QUOTE})?(?:[^;&"'\\s\\\\]|\\\\\\\\|${backslash})+)`,
    "gi",
  );
/**
 * In JSON text (a string that reads as JSON text, or holds a quote escaped: its strings' escapes are written), a value
 * ends at an escaped line break (`{"a": "Password=x\nnext"`: the next line is no part of it).
 */
const NAMED_SECRET = namedSecret(`\\\\(?!["'\\\\n]|r\\\\{1,7}n)`);
/** Elsewhere a backslash and an `n` are the value's (`Password=C:\new\pw`, `token=abc\r\ndef`). */
const NAMED_SECRET_PLAIN = namedSecret(`\\\\(?!["'\\\\])`);

/**
 * A secret field inside JSON text held as a string (an Activity Log `requestbody`, a CloudTrail event): `"adminPassword":
 * "…"`, `"customData": "…"`, `"userData": {…}` (an object value to its closing brace, one level).
 */
const JSON_SECRET = new RegExp(
  `("(?:${[...SECRET_KEYS].join("|")}|[\\w.-]*${SECRET_NAME_END})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|\\{[^{}]*\\}|\\[[^[\\]]*\\])`,
  "gi",
);

/**
 * A secret written as a number in text that is no JSON document (a script's `echo '{"adminPassword": 20241203}'`,
 * JSON text cut short, its quotes escaped: `{\"apiKey\": 42}`, `{\\\"apiKey\\\": 42}`), named as JSON_SECRET's or
 * NAMED_SECRET's values are: the number, replaced by REDACTED as a JSON string (quoted as the name is), so that JSON
 * text stays JSON. A Python dict's single quotes too (`{'password': 1234}`), and an object literal's unquoted name
 * (`{apiKey: 42}`, `, token: 7`: after `{` or `,`; then REDACTED in double quotes), as a quoted string there is masked.
 * A boolean or null stays (no secret; `"requirePassword": true` says what a diagnosis may need).
 */
const SECRET_MEMBER_NAME = `(?:${[...SECRET_KEYS].join("|")}|[\\w.-]*(?:${SECRET_NAME_END}|${SECRET_VALUE_NAME}))`;
const JSON_NUMBER = new RegExp(
  `((\\\\{0,7})(["'])${SECRET_MEMBER_NAME}\\2\\3\\s*:\\s*|[{,]\\s*${SECRET_MEMBER_NAME}\\s*:\\s*)-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?(?![\\w.+-])`,
  "gi",
);
/**
 * A bare boolean after a secret's name and `=` (`UseExistingClientSecret=true`, `RequirePassword=False`): a setting, no
 * secret, kept as a JSON boolean and a YAML one are (NAMED_SECRET's value reads to a space, `;`, `&` or a quote, so the
 * word is whole). Quoted (`Password="true"`) it is a string, and masked.
 */
const NAMED_BOOLEAN = /^(?:true|false)$/i;
/** JSON_NUMBER's replacement: REDACTED quoted as the name is (escaped as it is), or in double quotes. */
const maskedNumber = (_m: string, member: string, esc: string | undefined, quote: string | undefined): string =>
  quote === undefined ? `${member}"${REDACTED}"` : `${member}${esc}${quote}${REDACTED}${esc}${quote}`;

/**
 * Masks what looks like a secret, by shape, anywhere in a string:
 * - connection-string and key=value secrets (AccountKey=, SharedAccessKey=, Password=, Pwd=, ClientSecret=, …);
 * - SAS query strings, in full URLs and in relative paths (`/health?sv=…&sig=…`): the signature;
 * - `SharedAccessSignature sr=…&sig=…` tokens (Service Bus, Event Hubs, IoT Hub): the whole token;
 * - HTTP bearer tokens (`Authorization: Bearer …`): the token;
 * - credential headers (`Authorization` in any scheme, `Cookie`, API-key headers): the value, the scheme kept;
 * - JWTs (header.payload.signature);
 * - PEM private keys (with or without their END line);
 * - AWS access key ids, and in the same string any 40-character secret access key;
 * - credentials in URLs (`scheme://user:password@host`, also JSON-escaped: `https:\/\/…`): the password;
 * - a secret-named member's number in text that is no JSON document (`"adminPassword": 20241203`: JSON_NUMBER).
 * A string that is JSON text (an Activity Log `requestbody`) is masked as a document, every string in it so, JSON text
 * in those too: its syntax stays whole at every level (see maskJsonText).
 */
export function maskSecretsInString(s: string): string {
  if (!hinted(s)) return s;
  return maskHinted(s, false);
}

/** `aws`: the string sits in JSON text that holds an AWS access key id (its secret key may be in another member). */
function mask(s: string, aws: boolean): string {
  if (!hinted(s)) return aws ? s.replace(AWS_SECRET, REDACTED) : s;
  return maskHinted(s, aws);
}

/**
 * Whether a script's lines, joined, are being masked (scriptLines; masking is synchronous, and scriptLines sets it only
 * around its own call): a mask keeps the line breaks it spans (redactedLines), and a password's value is read on the
 * next line only below a prompt or a key, not below a command that prints one (ECHO_LINE).
 */
let scriptJoin = false;
/**
 * A masked span's text: REDACTED, or in a script's lines joined (scriptJoin) one REDACTED for each of its lines (a
 * blank one kept), its line breaks kept (`-----BEGIN … KEY-----`, its lines and its end: four lines, each REDACTED).
 */
function redactedLines(span: string): string {
  if (!scriptJoin || !span.includes("\n")) return REDACTED;
  return span
    .split("\n")
    .map((l) => (l.trim() === "" ? l : REDACTED))
    .join("\n");
}
/** A script's line that prints a prompt (`echo Enter the admin password:`): the next line is the script's next command. */
const ECHO_LINE = /^[ \t]*@?(?:echo|printf|print|puts|say|write-(?:host|output|information|verbose|warning)|read-host)(?![\w-])/i;

/** What `mask` does to a string past the pre-check. */
function maskHinted(s: string, aws: boolean): string {
  if (isJsonLike(s)) {
    const masked = maskJsonText(s, aws);
    if (masked !== undefined) return masked;
  }
  let out: string = s
    .replace(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|$)/g, redactedLines)
    .replace(/\bSharedAccessSignature\s+[^\s"',;]+/gi, `SharedAccessSignature ${REDACTED}`)
    // an HTTP bearer token (`Authorization: Bearer …`, in a command line or a request a record kept), opaque or not
    .replace(/\b(Bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1${REDACTED}`)
    .replace(HEADER_LINE, `$1$2$3${REDACTED}`)
    .replace(HEADER_MEMBER, `$1$2$3${REDACTED}`);
  if (out.includes(":")) {
    out = maskYamlLines(out);
    if (out.includes("\\n")) out = maskEscapedYaml(out);
  }
  // JSON text's escapes are written in it: a quote escaped, or JSON text (cut short: no parse read it)
  const escaped = s.includes('\\"') || /^\s*[[{]/.test(s);
  out = out
    .replace(
      escaped ? NAMED_SECRET : NAMED_SECRET_PLAIN,
      (m: string, name: string, sep: string, quote: string | undefined, at: number, t: string) => {
        if (scriptJoin && sep.includes("\n") && ECHO_LINE.test(t.slice(t.lastIndexOf("\n", at) + 1, at))) return m;
        if (quote !== undefined) return `${name}${sep}${quote}${REDACTED}${quote}`;
        const value = m.slice(name.length + sep.length);
        if (NAMED_BOOLEAN.test(value)) return m;
        // a value below its key's line break, escaped (`password:\n  S3cret\nuser: u`): the string's line breaks are
        // escaped, and the value ends at the next one
        const cut = !escaped && sep.includes("\\") ? value.search(ESC_BREAK_AT) : -1;
        return `${name}${sep}${REDACTED}${cut > 0 ? value.slice(cut) : ""}`;
      },
    )
    .replace(/([?&;]sig=)[^&\s"'#;]+/gi, `$1${REDACTED}`)
    .replace(JWT, REDACTED);
  if (hasScheme(out)) out = out.replace(URL_PASSWORD, `$1${REDACTED}@`).replace(URL_TOKEN_USER, `$1${REDACTED}@`);
  if (CLI_HINT.test(out) || WORD_HINT.test(out)) out = maskCommandLine(out);
  out = out.replace(JSON_SECRET, `$1"${REDACTED}"`).replace(JSON_NUMBER, maskedNumber);
  if (aws || AWS_KEY_ID.test(out)) {
    AWS_KEY_ID.lastIndex = 0;
    out = out.replace(AWS_KEY_ID, REDACTED).replace(AWS_SECRET, REDACTED);
  }
  AWS_KEY_ID.lastIndex = 0;
  return out;
}

/**
 * A YAML line's key that names a secret (SECRET_VALUE_NAME's names, at the key's end: `clientSecret:`, `- password:`,
 * `API_KEY:`, `AZURE_STORAGE_KEY:`, `token:`; not `secretName:`, `nextToken:`), at the line's start (read sticky there).
 */
const YAML_SECRET_KEY = new RegExp(`[ \\t]*((?:-[ \\t]+)*)([\\w.-]*(?:${SECRET_VALUE_NAME}))[ \\t]*:`, "iy");
/**
 * A YAML key that names a password or a secret (`client-secret:`, as Spring writes it, too). A key's or a token's name
 * written with a `-` (`account-key:`, `secret-key:`) may be a header's (`my-api-key: shown`): its value masked unless
 * it names none (YAML_PLAIN_WORDS); HEADER_NAMES' own are HEADER_LINE's.
 */
const YAML_PASSWORD_KEY = /(?:pass(?:(?:wor)?d(?:[_-]?or[_-]?key)?|phrase)|pwd|secret)$/i;
/** A block scalar's header (`|`, `>-`, `|2`, after a tag or an anchor: `!vault |`), to the line's end (a comment too). */
const YAML_BLOCK = /^(?:[!&][^\s]*[ \t]+)*[|>][-+1-9]{0,2}[ \t]*(?:#.*)?$/;
/** A plain value that is no secret: a boolean or null (`createSecret: true` is a setting), or masked already. */
const YAML_NOT_SECRET = /^(?:true|false|null|~|\[redacted\])$/i;
/**
 * A line that reads as a YAML key (`  scopes: read`, `- name: x`): no plain scalar's continuation. Read sticky at the
 * line's start; the key's first character is no `- ` (which the items' run takes): one way to read the line, linear
 * (a long run of `- - - …` was read again from each of its items: quadratic).
 */
const YAML_KEY_LINE = /[ \t]*(?:- )*(?:[^\s#:-]|-(?! ))[^:\r\n]*:(?=[ \t\r\n]|$)/y;
/**
 * A key whose plain value is masked whatever it is: a password's, a secret's or a credential key's name
 * (`client_secret:`, `API_KEY:`, `AZURE_STORAGE_KEY:`, `SECRET_KEY:`). Under a token's, a signature's or another
 * key's name (`token:`, `Signature:`, `primaryKey:`) a value that names no secret stays (YAML_PLAIN_WORDS).
 */
const YAML_WHOLE_KEY = /(?:pass(?:(?:wor)?d(?:[_-]?or[_-]?key)?|phrase)|pwd|secret|_auth|(?:access|account|api|storage|secret)[_-]?key)$/i;
/**
 * A plain value that no token or key is: an algorithm's name, whole (`Signature: sha256WithRSAEncryption`, `alg: RS256`).
 * Short words and prose are masked under these names too (`sharedKey: letmein` is a VPN key, `token: correct horse
 * battery staple` a passphrase): a leak costs more than a masked word.
 */
const YAML_PLAIN_WORDS =
  /^(?:sha(?:1|224|256|384|512)With(?:RSA|ECDSA)Encryption|(?:RSA|ECDSA)-SHA(?:1|256|384|512)|[RPEH]S(?:256|384|512)|EdDSA|Ed(?:25519|448)|HMAC-?SHA(?:1|256|384|512))$/i;
/**
 * A key that names a Kubernetes Secret, not its content (`existingSecret: db-creds`, `imagePullSecret: regcred`): its
 * value, when a Secret's name (YAML_OBJECT_NAME), stays. A certificate's Secret (`certSecret: web-tls.example`) only
 * when the name has more than one part (a `-` or a `.`) and: one part at least is a certificate's word, whole
 * (YAML_CERT_PART: `tls`, `ssl`, `cert`, `certs`, `crt`, `ca`: `web-tls`, `ca.internal`), or the name is a domain's (a `.`
 * in it, its last part letters only: YAML_DOMAIN_NAME, `web.example`, `example.com`); no part mixes letters and digits
 * (YAML_MIXED_PART: `tlsSecret: s3cret-2024`, `trustno1-x`, `tls-hunter2`; a part of digits only may be a date or a
 * version, `web-tls-2024`); and no part says password (YAML_CERT_PASSWORD_PART: `tlsSecret: my-pass-1` is one).
 * `certSecret: correct-horse`, `example-com` are passwords. Or the name is one word of letters that ends as a
 * certificate's (`certSecret: webtls`, `tlsSecret: ingresscert`, `sitessl`, `apicrt`, `tls`: YAML_CERT_NAME) and says
 * no password (`mycertpass`, `sslpassword1`, `pwtls`). A digit in a one-part name makes it a password (`tls123`,
 * `crt4me2024`, `hunter2tls`), as does any other one-part name (`tlsSecret: p4ssw0rd`). Any other key's name
 * (`registrySecret`, `dockerSecret`, `client_credentials_secret`) holds the secret itself.
 */
const YAML_SECRET_REF = /^(?:[\w.-]*\.)?(?:existing[_-]?secret|image[_-]?pull[_-]?secrets?)$/i;
const YAML_CERT_SECRET_REF = /^(?:[\w.-]*\.)?(?:tls|ssl|cert|certificate|ca)[_-]?secret$/i;
/** A Secret's name of more than one part (`web-tls`, `web.example`). */
const YAML_DOTTED_NAME = /[-.]/;
/** A part of a certificate Secret's name that says password (`my-pass-1`, `admin.pw`, `db-pwd`). */
const YAML_CERT_PASSWORD_PART = /pass|pwd|(?:^|[-.])pw(?:[-.]|$)/;
/** A part of a certificate Secret's name that is a certificate's word (`web-tls`, `site-certs`, `ca.internal`). */
const YAML_CERT_PART = /(?:^|[-.])(?:tls|ssl|certs?|crt|ca)(?:[-.]|$)/;
/** A domain's name: a `.` before its last part, letters only (`web.example`, `example.com`). */
const YAML_DOMAIN_NAME = /\.[a-z]+$/;
/** A part of a name that mixes letters and digits (`s3cret`, `trustno1`, `2fa`). */
const YAML_MIXED_PART = /(?:^|[-.])(?=[a-z0-9]*[a-z])(?=[a-z0-9]*\d)/;
/** A one-part name that says it holds a certificate: letters only, its last ones a certificate's (`webtls`, `ingresscert`). */
const YAML_CERT_NAME = /^(?![a-z]*(?:pass|pw|secret))[a-z]*(?:tls|ssl|certs?|crt)$/;
/** A Kubernetes object's name: a lowercase RFC 1123 subdomain (its labels of letters, digits and inner `-`), at most 253. */
const YAML_OBJECT_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/**
 * YAML lines whose key names a secret (YAML_SECRET_KEY): the plain value, to the line's end (a comment, ` #…`, kept:
 * `client_secret: correct horse staple` is one value, `clientSecret: abc;def` too), and a block scalar (`clientSecret:
 * |` and the lines below it indented deeper than the key, blank lines among them: all of it one REDACTED). No value
 * (`clientSecret:`, a mapping below it), a comment (`clientSecret: # set by the pipeline`), a boolean or null, a quoted
 * value (NAMED_SECRET's) and a Kubernetes Secret's name under a key that names one (YAML_SECRET_REF) stay. Linear:
 * each line is read once (a block's lines by its key's line only).
 */
function maskYamlLines(s: string): string {
  let out = "";
  let done = 0;
  for (let p = 0; p < s.length; ) {
    let next = s.indexOf("\n", p);
    next = next === -1 ? s.length : next + 1;
    YAML_SECRET_KEY.lastIndex = p;
    const m = YAML_SECRET_KEY.exec(s);
    if (m === null || HEADER_NAMES.includes((m[2] as string).toLowerCase())) {
      p = next;
      continue;
    }
    let v = p + m[0].length;
    while (s[v] === " " || s[v] === "\t") v++;
    const eol = lineEnd(s, v);
    const c = s[v];
    // no value, a comment (after a space, a space or the line's end after it: `#S3cret` is a value), a quoted value
    // (NAMED_SECRET's)
    const comment = c === "#" && v > p + m[0].length && (v + 1 === eol || s[v + 1] === " " || s[v + 1] === "\t");
    if (c === "'") {
      // a single-quoted value whose quotes are doubled inside (`'S3c''ret'`, YAML's escape): its text, the quotes kept
      // (NAMED_SECRET's read would stop at the first of them)
      let j = v + 1;
      while (j < eol && !(s[j] === "'" && s[j + 1] !== "'")) j += s[j] === "'" ? 2 : 1;
      if (j < eol && s.slice(v + 1, j).includes("''")) {
        out += `${s.slice(done, v + 1)}${REDACTED}`;
        done = j;
      }
    }
    // the key's column (a list item's key is its `- `'s width further in)
    const column = m[0].length - m[0].trimStart().length + (m[1]?.length ?? 0);
    if (c === "\\") {
      // a line break escaped (YAML in a string of JSON text: `password:\n  S3cret`): maskEscapedYaml reads the lines it
      // breaks, unless the one after it may be the value, though no deeper (`clientSecret:\new-path`: masked here whole)
      const b = lineBreakEnd(s, v, true);
      if (b !== -1 && escapedValue(s, b, column, escapedBreakRun(s, b)) !== AMBIGUOUS) {
        p = next;
        continue;
      }
    }
    if (v === eol || comment) {
      // no value on the key's line (a comment at most: `password: # from vault`): the value is on the lines below it,
      // indented deeper (`password:` then `  S3cret`), or a sequence at the key's own column (`password:` then `- S3cret`)
      const end = deeperValue(s, next, column, true);
      // one line, read as the key's line's value is (`existingSecret:` then `  db-creds` names a Secret)
      const one = end === -1 ? "" : s.slice(end[0], end[1]).trimEnd();
      if (end !== -1 && (one.includes("\n") || !yamlValueKept(m[2] as string, one))) {
        out += s.slice(done, end[0]) + redactedLines(s.slice(end[0], end[1]));
        done = end[1];
        p = end[1] < s.length ? s.indexOf("\n", end[1]) + 1 || s.length : s.length;
        continue;
      }
    }
    if (v === eol || comment || c === '"' || c === "'") {
      p = next;
      continue;
    }
    // the lines below it indented deeper: a block scalar's, or a plain value's that continues there (`clientSecret:
    // part1` then `  part2`)
    const block = YAML_BLOCK.test(s.slice(v, eol));
    const below = block ? deeperLinesEnd(s, next, column) : deeperValue(s, next, column);
    if (below !== -1 || block) {
      const end = Math.max(eol, typeof below === "number" ? below : below[1]);
      out += s.slice(done, v) + redactedLines(s.slice(v, end));
      done = end;
      p = end < s.length ? s.indexOf("\n", end) + 1 || s.length : s.length;
      continue;
    }
    // a plain value: to a comment (` #`) or the line's end, the spaces before them kept
    let e = v + 1;
    while (e < eol && !(s[e] === "#" && (s[e - 1] === " " || s[e - 1] === "\t"))) e++;
    while (e > v && (s[e - 1] === " " || s[e - 1] === "\t")) e--;
    if (!yamlValueKept(m[2] as string, s.slice(v, e))) {
      out += s.slice(done, v) + REDACTED;
      done = e;
    }
    p = next;
  }
  return done === 0 ? s : out + s.slice(done);
}

/**
 * Escaped YAML (JSON text's string, its line breaks written `\n`, cut short so that no parse reads it: `{"values":
 * "auth:\n  clientSecret:\n    S3cret\n  tenant: t"`): a secret key (YAML_SECRET_KEY's names) with no value on its
 * line, a comment at most, at the line's start (after a line break, escaped or not, or the quote that opens the
 * string), and the value on the escaped lines below it (escapedValue), masked as maskYamlLines masks one: one
 * REDACTED, a single line kept where yamlValueKept keeps it. A quoted value is masked too (NAMED_SECRET reads none
 * across an escaped line break but a password's). Linear: each line is read back once from its line break, and
 * forward by the key above it at most (a value masked is skipped).
 */
function maskEscapedYaml(s: string): string {
  let out = "";
  let done = 0;
  /** where the line that the next line break ends may start: after the last one read */
  let floor = 0;
  for (let n = s.indexOf("\\n"); n !== -1; n = s.indexOf("\\n", n + 2)) {
    if (n < floor) continue;
    // the break: its backslashes, and an escaped `\r` before it
    let bs = n;
    while (bs > floor && s[bs - 1] === "\\") bs--;
    if (s[bs - 1] === "r" && s[bs - 2] === "\\") {
      bs--;
      while (bs > floor && s[bs - 1] === "\\") bs--;
    }
    const after = n + 2;
    const key = escapedKeyBefore(s, floor, bs);
    floor = after;
    if (key === undefined) continue;
    const value = escapedValue(s, after, key.column, n + 1 - escapedRunStart(s, n));
    if (value === AMBIGUOUS || value === -1) continue;
    const [from, to] = value;
    const text = s.slice(from, to);
    if (!text.includes("\\n") && yamlValueKept(key.name, text)) continue;
    out += s.slice(done, from) + REDACTED;
    done = to;
    floor = to;
    n = to - 2;
  }
  return done === 0 ? s : out + s.slice(done);
}

/** Where the run of backslashes that ends at `n` (the one before an `n`) starts. */
function escapedRunStart(s: string, n: number): number {
  let b = n;
  while (b > 0 && s[b - 1] === "\\") b--;
  return b;
}
/** How many backslashes write the escaped line break that ends at `b` (`\n`: 1, `\\n`: 2): its string's level. */
const escapedBreakRun = (s: string, b: number): number => b - 1 - escapedRunStart(s, b - 2);

/** A YAML key's name that names a secret (YAML_SECRET_KEY's, whole). */
const YAML_SECRET_NAME = new RegExp(`^[\\w.-]*(?:${SECRET_VALUE_NAME})$`, "i");

/**
 * The secret key whose line ends at `bs` (an escaped line break there), or undefined: `key:`, a comment after it at
 * most, at the line's start (`floor`, a written line break after it, or a quote that opens a string, spaces and
 * escaped tabs and a sequence's `- ` after it): its name and its column. Reads the line once.
 */
function escapedKeyBefore(s: string, floor: number, bs: number): { name: string; column: number } | undefined {
  // the line's start: after the last written line break
  let ls = bs;
  while (ls > floor && s[ls - 1] !== "\n") ls--;
  // the key's colon ends the line, or a comment after it does (`password: # from vault`: the first colon that spaces
  // and a `#` follow; each colon reads the spaces after it)
  let p = bs;
  while (p > ls && (s[p - 1] === " " || s[p - 1] === "\t")) p--;
  if (s[p - 1] !== ":") {
    p = -1;
    for (let i = ls; i < bs && p === -1; i++) {
      if (s[i] !== ":") continue;
      let j = i + 1;
      while (j < bs && (s[j] === " " || s[j] === "\t")) j++;
      if (j > i + 1 && s[j] === "#") p = i + 1;
    }
    if (p === -1) return undefined;
  }
  let ne = p - 1;
  while (ne > ls && (s[ne - 1] === " " || s[ne - 1] === "\t")) ne--;
  let ns = ne;
  while (ns > ls && ne - ns < 256 && /[\w.-]/.test(s[ns - 1] as string)) ns--;
  if (ns === ne) return undefined;
  // an escaped tab's `t` before the name is no letter of it (`\tpassword:`)
  if (s[ns] === "t" && s[ns - 1] === "\\") ns++;
  const name = s.slice(ns, ne);
  if (!YAML_SECRET_NAME.test(name) || HEADER_NAMES.includes(name.toLowerCase())) return undefined;
  // back over a sequence's items, spaces and escaped tabs, to the line's start or the string's quote
  let b = ns;
  for (;;) {
    if (b > ls && (s[b - 1] === " " || s[b - 1] === "\t" || s[b - 1] === "-")) b--;
    else if (b - 1 > ls && s[b - 1] === "t" && s[b - 2] === "\\") b -= 2;
    else break;
  }
  let start = b;
  if (b > ls) {
    if (s[b - 1] !== '"' && s[b - 1] !== "'") return undefined;
  } else start = ls;
  // the column: an escaped tab is one
  let column = 0;
  for (let i = start; i < ns; i++) if (!(s[i] === "\\" && s[i + 1] === "t")) column++;
  return { name, column };
}

/** escapedValue's and the like's: the next line may be the value, though it is not indented deeper than the key. */
const AMBIGUOUS = -2;
/** A line that reads as a YAML key in escaped YAML (YAML_KEY_LINE's, its colon before a space or an escaped line break). */
const ESC_YAML_KEY_LINE = new RegExp(`(?:- )*(?:[^\\s#:\\\\"-]|-(?! ))[^:\\r\\n\\\\"]*:(?=[ \\t]|${ESC_BREAK}|\\\\*"|$)`, "y");

/**
 * A secret key's value on the escaped lines from `q` on (the key at `column`, its line break written with `run`
 * backslashes): deeperValue's, each line to its escaped line break, a written one, or the end of the string that
 * holds it (a quote that fewer backslashes escape). -1 where none is there (the next line reads as a key, or is a
 * comment only; the string ends), AMBIGUOUS where the next line is not indented deeper and reads as no key.
 */
function escapedValue(s: string, q: number, column: number, run: number): [number, number] | -1 | typeof AMBIGUOUS {
  let first = -1;
  let end = -1;
  while (q < s.length) {
    // its indentation: spaces, tabs, escaped tabs
    let i = q;
    let indent = 0;
    for (;;) {
      if (s[i] === " " || s[i] === "\t") i++;
      else if (s[i] === "\\") {
        let k = i;
        while (s[k] === "\\") k++;
        if (s[k] !== "t") break;
        i = k + 1;
      } else break;
      indent++;
    }
    const [e, next] = escapedLineEnd(s, i, run);
    let z = e;
    while (z > i && (s[z - 1] === " " || s[z - 1] === "\t")) z--;
    if (z > i) {
      const item = s[i] === "-" && (i + 1 === z || s[i + 1] === " " || s[i + 1] === "\t");
      if (indent < column || (indent === column && !item)) {
        if (first !== -1) break;
        ESC_YAML_KEY_LINE.lastIndex = i;
        return ESC_YAML_KEY_LINE.test(s) || s[i] === "#" ? -1 : AMBIGUOUS;
      }
      ESC_YAML_KEY_LINE.lastIndex = i;
      if (ESC_YAML_KEY_LINE.test(s)) break;
      if (first === -1 && !(s[i] === "#" && (i + 1 === z || s[i + 1] === " " || s[i + 1] === "\t"))) first = i;
      if (first !== -1) end = z;
    }
    if (next === -1) break;
    q = next;
  }
  return first === -1 ? -1 : [first, end];
}

/**
 * Where an escaped line from `i` on ends, and where the next one starts (-1 where none does: a written line break,
 * or the end of the string that holds it, a quote that fewer than `run` backslashes escape). Reads the line once.
 */
function escapedLineEnd(s: string, i: number, run: number): [number, number] {
  let j = i;
  while (j < s.length) {
    const c = s[j];
    if (c === "\n" || c === "\r" || c === '"') return [j, -1];
    if (c === "\\") {
      const b = lineBreakEnd(s, j, true);
      if (b !== -1) return [j, b];
      let k = j;
      while (s[k] === "\\") k++;
      if (s[k] === '"' && k - j < run) return [j, -1];
      // an escaped character (`\"`, `\t`, `\\`): the run and what it escapes
      j = s[k] === "\n" || s[k] === "\r" ? k : k + 1;
      continue;
    }
    j++;
  }
  return [s.length, -1];
}

/**
 * Whether a secret key's plain value, one line, stays: a boolean or null, a Kubernetes Secret's name under a key that
 * names one (YAML_SECRET_REF, YAML_CERT_SECRET_REF), an algorithm's name under a token's or a key's (YAML_PLAIN_WORDS).
 */
function yamlValueKept(key: string, value: string): boolean {
  const ref =
    YAML_OBJECT_NAME.test(value) &&
    (YAML_SECRET_REF.test(key) ||
      (YAML_CERT_SECRET_REF.test(key) &&
        (YAML_DOTTED_NAME.test(value)
          ? (YAML_CERT_PART.test(value) || YAML_DOMAIN_NAME.test(value)) &&
            !YAML_MIXED_PART.test(value) &&
            !YAML_CERT_PASSWORD_PART.test(value)
          : YAML_CERT_NAME.test(value))));
  const whole = YAML_WHOLE_KEY.test(key) && (!key.includes("-") || YAML_PASSWORD_KEY.test(key));
  return YAML_NOT_SECRET.test(value) || ref || (!whole && YAML_PLAIN_WORDS.test(value));
}

/**
 * The lines from `q` on that continue a secret key's value (the key at `column`): those indented deeper, up to the
 * first that reads as a key (YAML_KEY_LINE: the document's next mapping, as a plain scalar holds no `key: `); its
 * first character (a comment line's, `#` then a space, aside) and the last such line's end (blank lines among them, not
 * after them). -1 where there is none: the next line is not deeper (`password:` then `user: u`), reads as a key
 * (`apiKey:` then `  valueFrom: vault`: its own line's to mask), or is a comment only; a value that starts quoted is
 * NAMED_SECRET's. The value below a key with none on its line (`password:` then `  S3cret`, a sequence of plain items
 * `  - S3cret`; with `sequence`, a sequence at the key's own column too, as YAML reads one: `password:` then `- S3cret`,
 * `- password:` then `  - S3cret`), or a plain value's continuation (`clientSecret: part1` then `  part2`). Reads those
 * lines and the one that ends them once: a value read is masked and skipped, and a key line read is the next to read.
 */
function deeperValue(s: string, q: number, column: number, sequence = false): [number, number] | -1 {
  let first = -1;
  let end = -1;
  while (q < s.length) {
    const e = lineEnd(s, q);
    let i = q;
    while (i < e && (s[i] === " " || s[i] === "\t")) i++;
    if (i < e) {
      if (i - q < column || (i - q === column && !(sequence && s[i] === "-" && (i + 1 === e || s[i + 1] === " " || s[i + 1] === "\t"))))
        break;
      YAML_KEY_LINE.lastIndex = q;
      if (YAML_KEY_LINE.test(s)) break;
      const comment = s[i] === "#" && (i + 1 === e || s[i + 1] === " " || s[i + 1] === "\t");
      if (first === -1 && !comment) {
        if (s[i] === '"' || s[i] === "'") return -1;
        first = i;
      }
      if (first !== -1) end = e;
    }
    q = s.indexOf("\n", e);
    q = q === -1 ? s.length : q + 1;
  }
  return first === -1 ? -1 : [first, end];
}

/**
 * Where the lines from `q` on that are indented deeper than `column` end (blank lines among them, not after them), or
 * -1 where the next line that is not blank is not. Reads those lines, and the first one that ends them.
 */
function deeperLinesEnd(s: string, q: number, column: number): number {
  let end = -1;
  while (q < s.length) {
    const e = lineEnd(s, q);
    let i = q;
    while (i < e && (s[i] === " " || s[i] === "\t")) i++;
    if (i < e && i - q <= column) break;
    if (i < e) end = e;
    q = s.indexOf("\n", e);
    q = q === -1 ? s.length : q + 1;
  }
  return end;
}

/** Where the line that holds `i` ends (its `\r\n`, `\n` or the string's end). */
function lineEnd(s: string, i: number): number {
  let e = s.indexOf("\n", i);
  if (e === -1) e = s.length;
  return e > i && s[e - 1] === "\r" ? e - 1 : e;
}

/**
 * A JWT (header.payload.signature). The header's run stops before a `-eyJ` (where another match may start): a run of
 * many `-eyJ…` without a `.` was scanned to its end from each of them (quadratic time).
 */
const JWT = /\beyJ(?:[A-Za-z0-9_]|-(?!eyJ)){4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/**
 * Credentials in a URL (`scheme://user:password@host`): the password. As RFC 3986 §3.2 reads a URL: the authority
 * ends at the first `/`, `?` or `#`, and its userinfo at the authority's last `@`; the password follows the userinfo's
 * first `:`. So a password holds an `@` only where another `@` follows it in the authority (https://user:p@ss@host/),
 * never a `/`: `https://user:p@ss/word@host/` has the authority `user:p@ss` (its password `ss` goes: the rest is the
 * path), and `https://host:8443/path@v2`, `…@registry.npmjs.org/@scope/…`, `…@github.com/org/repo.git@v1.2.0` keep
 * their host (no userinfo, or one before the path's `@`). Never into a quote (JSON text around the URL). The scheme is
 * at most 32 characters (an unbounded one was scanned from every letter of a long run: quadratic); each scan stops at
 * the authority's end, which the next `://` is past. JSON-escaped slashes too (`https:\/\/user:pw@host\/x`, JSON text
 * or a script that escapes them; `https:\\\/\\\/…`, JSON text in JSON text; `https:\u002f\u002f…`, `\\u002f`, as some
 * encoders write a `/`): the authority ends at the escaped `/` too. A `'` inside the user or the password (`it's`) is
 * theirs; one that ends a quoted string (a space, a quote, `,` `;` `)` `]` `}` or the authority's end after it) is not.
 */
const URL_SCHEME = "[a-z][a-z0-9+.-]{0,31}:(?:\\\\{0,7}\\/|\\\\{1,7}u002[fF]){2}";
/** A character of a URL's userinfo: not a `\` that starts an escaped `/` (`\u002f`), nor a `'` that ends a string. */
const USERINFO_CHAR = `\\\\(?!\\\\{0,6}u002[fF])|'(?=[^\\s"',;)\\]}/?#])`;
const URL_PASSWORD = new RegExp(`(${URL_SCHEME}(?:[^/?#\\s:"'\\\\]|${USERINFO_CHAR})*:)(?:[^/?#\\s"'\\\\]|${USERINFO_CHAR})*@`, "gi");
/**
 * A token used as a URL's user, without a password (`https://<PAT>@dev.azure.com/…`, `https://ghp_…@github.com/…`):
 * only a token's shape, so that a user name stays (`git@`, `alice@`, an Azure DevOps organisation:
 * `https://contoso-engineering-team@dev.azure.com/contoso-engineering-team/…`): GitHub's and GitLab's prefixed tokens,
 * an Azure DevOps PAT (52 characters of base32, lower case), 40 hex digits, or 32 characters or more that mix upper
 * case, lower case and digits (no words joined by `-`). Case-sensitive (the shapes are); each lookahead bounded.
 */
const URL_TOKEN_USER =
  /([A-Za-z][A-Za-z0-9+.-]{0,31}:(?:\\{0,7}\/|\\{1,7}u002[fF]){2})(?:(?:gh[opsu]_|github_pat_|glpat-)[A-Za-z0-9_-]{8,}|[a-z2-7]{52}|[0-9a-fA-F]{40}|(?=[A-Za-z0-9_]{0,255}[A-Z])(?=[A-Za-z0-9_]{0,255}[a-z])(?=[A-Za-z0-9_]{0,255}[0-9])[A-Za-z0-9_]{32,})@/g;

/**
 * An option's value: quoted (to its closing quote, the quotes kept; escaped too, as JSON text or a script writes a
 * command: `-p \\"pw\\"`) or bare (to a space). A quote's escape is ESC_QUOTE's, at most seven backslashes, here and in
 * every pattern below that reads a quoted word to its closing quote: a quote that never closes is read to the line's
 * end, and an unbounded run let every quote of a line be one (`pass:\\\"` … `pass:\\"` … `pass:\"`, each run shorter than
 * the one before: each read to the end, quadratic). Bounded, at most 16 quotes of a line (one of each escape, each
 * quote) find no closing one.
 */
const OPT_VALUE = `(?:(\\\\{0,7}["'])(?:(?!\\2)[^\\n])*\\2|[^\\s"']+)`;
/**
 * `--name value` / `--name=value`: masked when the name holds a password's or a secret's, or ends as a token's or an
 * access key's (see LONG_SECRET); PowerShell's `-Password value` / `-AdminPassword:value` too. The option only:
 * another option's quoted value may hold one (`--scripts "az login --password …"`). At the string's start too, or
 * after any space (a tab, a line break: `az vm create \` then `--admin-password …` on the next line). PowerShell takes
 * an en dash, an em dash or a horizontal bar for a parameter's `-` (`–SharedKey 'x'`).
 */
const LONG_OPTION = /(?<![^\s])(--?|[\u2013\u2014\u2015])([a-z0-9][a-z0-9_-]*)(=|:(?=[^\s:])|[ \t]+)/gi;
/** The value at an option's end (OPT_VALUE, its quote group first; the quote escaped too, in JSON text: `\"pw\"`). */
const LONG_VALUE = /(?!-)(?:(\\{0,7}["'])(?:(?!\1)[^\n])*\1|[^\s"']+)/y;
const LONG_SECRET =
  /pass(?:wor|w)?d|passphrase|secret|pwd|^pass$|^(?:require|master|auth)pass$|(?:^|[-_])(?:token|account-?key|api-?key|access-?key|(?:shared|primary|secondary|storage)-?key)$/i;
/**
 * A secret-named option whose value is none: a flag (`--no-password`, `--disable-password-authentication`), a secret's
 * name or id (`--secret-id`, `--secret-name`, `--secret-arn`), a policy's setting (`--minimum-password-length`,
 * `--max-password-age`), a file or a path that holds it (`--password-file`, `--passwordfile`, `--password-file-path`),
 * `--password-stdin`, a descriptor to read it from (gpg's `--passphrase-fd 0`), where it is kept (`--secret-uri`,
 * `--key-vault-secret-url`), a paging token (`--starting-token`, `--next-token`).
 */
const LONG_NOT_SECRET =
  /^(?:no|disable)-|(?:-id|-name|-arn|-length|-age|file|-fd|-path|-version|-policy|-stdin|-type|-uri|-url|(?:starting|next|page|skip|continuation)-token)$/i;
/**
 * PowerShell's single-dash parameters: only a password's, a secret's or a key's that SECRET_VALUE_NAME names
 * (`-Password`, `-AdminPassword`, `-ClientSecret`, AWS's `-SecretKey`, a VPN connection's `-SharedKey`,
 * `-StorageAccountKey`, `-NuGetApiKey`; not `-AccessKey`, AWS's key id).
 */
const PS_SECRET = /(?:password|passphrase|secret|(?:secret|shared|account|primary|secondary|api)key)$/i;
/**
 * curl's `-u user:password` (also grouped: `-su`, `-ksu`), `--user user:password`, `-U`/`--proxy-user`: the password,
 * quoted or not (`-u admin:'pw'`, `--user "admin:pw 2"`), the quotes escaped too (`-u \\"admin:pw\\"`: the command in
 * JSON text or a script that escapes its quotes).
 */
const CURL_USER =
  /(\s(?:-[A-Za-z]*[uU][ \t]*|--(?:proxy-)?user(?:=|[ \t]+)))(?:(\\{0,7}["'])([^\s:"']*:)(?:(?!\2)[^\n])+\2|([^\s:"']*:)(?:(\\{0,7}["'])(?:(?!\5)[^\n])*\5|[^\s"']+))/g;
/** curl's `-b 'name=value'` / `--cookie …` (not a cookie file's name: a value without `=`). */
const CURL_COOKIE = new RegExp(`(\\s(?:-b[ \\t]*|--cookie(?:=|[ \\t]+)))${OPT_VALUE}`, "g");
/** MySQL's `-pPASSWORD` (attached: `-p db` asks for it). */
const MYSQL_PASSWORD = new RegExp(`(\\s-p)(?=[^\\s-])${OPT_VALUE}`, "g");
/** A registry or cloud login's `-p PASSWORD` (`az login -u x -p …`, `docker login -p …`, attached too: `-pPASSWORD`). */
const LOGIN_PASSWORD = new RegExp(`(\\s-p[ \\t]*)(?![-\\s])${OPT_VALUE}`, "g");
/** redis-cli's `-a PASSWORD` (attached too: `-aPASSWORD`). */
const REDIS_PASSWORD = new RegExp(`(\\s-a[ \\t]*)(?![-\\s])${OPT_VALUE}`, "g");
/** sqlcmd's and bcp's `-P PASSWORD` / `-PPASSWORD` (not a longer option's letters: `-PacketSize`, `-Password`). */
const SQLCMD_PASSWORD = new RegExp(`(\\s-P[ \\t]*)(?!-|assword(?![\\w])|[a-z]+[A-Z][A-Za-z]*(?![^\\s=:]))${OPT_VALUE}`, "g");
/**
 * `aws configure set aws_secret_access_key VALUE` (`aws_session_token`, `aws_security_token`; a profile's too:
 * `profile.dev.aws_secret_access_key`): the value (`aws configure set region us-east-1` names none).
 */
const AWS_CONFIGURE_SECRET = new RegExp(
  `(\\sconfigure[ \\t]+set[ \\t]+(?:[\\w-]+\\.)*aws_(?:secret_access_key|session_token|security_token)[ \\t]+)(?!-)${OPT_VALUE}`,
  "gi",
);
/**
 * openssl's `-passin pass:PW`, `-passout pass:PW`, `-pass pass:PW` (quoted too: `-passin 'pass:p w'`, `-passin
 * pass:"$PW"`): what follows `pass:` (`file:`, `env:`, `fd:`, `stdin` name where it is, not the password).
 */
const OPENSSL_PASS =
  /(\s-pass(?:in|out)?[ \t]+)(?:(\\{0,7}["'])pass:(?:(?!\2)[^\n])*\2|pass:(?:(\\{0,7}["'])(?:(?!\3)[^\n])*\3|[^\s"']+))/g;
/**
 * kubectl's `--from-literal=KEY=VALUE` in a `create secret` command (quoted too: `--from-literal 'k=v w'`): the value
 * after the first `=`, the key kept (CURL_USER's shape, `=` for its `:`).
 */
const FROM_LITERAL =
  /(\s--from-literal(?:=|[ \t]+))(?:(\\{0,7}["'])([^\s="']*=)(?:(?!\2)[^\n])+\2|([^\s="']*=)(?:(\\{0,7}["'])(?:(?!\5)[^\n])*\5|[^\s"']+))/g;
/** `--value VALUE` in `az keyvault secret set`, `aws ssm put-parameter`, `az … shared-key update` (see VALUE_SECRET). */
const VALUE_OPTION = new RegExp(`(\\s--value(?:=|[ \\t]+))(?!-)${OPT_VALUE}`, "g");
/** `net user NAME PASSWORD` (a quoted name too: `"John Smith"`; not a switch: `/add`; not `*`, which asks for it). */
const NET_USER = new RegExp(
  `(\\suser[ \\t]+(?:[^\\s/"'-][^\\s"']*|\\\\*"[^"\\n\\\\]+\\\\*"|'[^'\\n]+')[ \\t]+)(?![/-]|\\*(?!\\S))${OPT_VALUE}`,
  "gi",
);
/** `htpasswd` as a command's word (a path to it too: the command's tools decide, see maskHtpasswd). */
const HTPASSWD_WORD = /(?<![\w.-])htpasswd(?:\.exe)?(?![^\s"'`;&|()])/gi;

/**
 * Which of htpasswd's words (those after its name) is the password that `-b` takes from the command line, or -1: its
 * options come first (`-b`, `-c`, `-n`, `-B`, clustered or apart: `-bc`, `-b -c`, `-n -b`; `-C COST` and `-r ROUNDS`
 * take a value), then FILE USER PASSWORD, or USER PASSWORD with `-n` (no file). None without `-b` (`-D`, `-v`
 * without it, `-c FILE USER` ask for it).
 */
function htpasswdPassword(words: readonly string[]): number {
  let b = false;
  let n = false;
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i] as string;
    if (w.length < 2 || w.charCodeAt(0) !== 45) break;
    for (let j = 1; j < w.length; j++) {
      const c = w[j];
      if (c === "b") b = true;
      else if (c === "n") n = true;
      else if (c === "C" || c === "r") {
        // its value: the rest of the word, or the next one
        if (j === w.length - 1) i++;
        break;
      }
    }
  }
  const at = i + (n ? 1 : 2);
  return b && at < words.length ? at : -1;
}

/** Whether an argv's word runs htpasswd (`htpasswd`, `/usr/bin/htpasswd`). */
function isHtpasswd(w: string): boolean {
  const name = w.slice(Math.max(w.lastIndexOf("/"), w.lastIndexOf("\\")) + 1).toLowerCase();
  return name === "htpasswd" || name === "htpasswd.exe";
}

/**
 * `htpasswd -b FILE USER PASSWORD`, `htpasswd -nb USER PASSWORD` (see htpasswdPassword): the password, in a command that
 * runs htpasswd, its quotes kept. Linear: each name reads at most 16 words after it, and the next name is looked for
 * past them (a quoted word that never closes is read once, not once per name before it).
 */
function maskHtpasswd(s: string): string {
  let tools: Uint16Array | undefined;
  let out = "";
  let done = 0;
  HTPASSWD_WORD.lastIndex = 0;
  for (let m = HTPASSWD_WORD.exec(s); m !== null; m = HTPASSWD_WORD.exec(s)) {
    tools ??= commandTools(s);
    if (m.index < done) continue;
    // `docker run --entrypoint htpasswd IMAGE -Bbn …`: the container's options and the image, then htpasswd's words
    const entry = isEntrypointValue(s, m.index);
    if (!entry && ((tools[m.index] as number) & HTPASSWD) === 0) continue;
    let i = m.index + m[0].length;
    // the quote that closes `--entrypoint "htpasswd"`
    const close = entry ? /^\\{0,7}["']/.exec(s.slice(i, i + 8)) : null;
    if (close !== null) i += close[0].length;
    // its words, a line continued (`\` and a line break) read on
    const { words, starts, end } = shellWords(s, i, entry ? 40 : 16);
    let k = entry ? entrypointPassword(words) : -1;
    if (k === -1 && ((tools[m.index] as number) & HTPASSWD) !== 0) k = htpasswdPassword(words);
    // a name among the words read is one of their values (its command's words end at the command's end): not read
    // again, where this one was the command's (its first word or `--entrypoint`'s value) or its password was found. A
    // name after another word (`echo htpasswd htpasswd -b f u pw`) may be an argument: the names among its words are
    // read still (each reads at most 16 words: linear), but not those inside the word this name starts
    // (`htpasswd"x"htpasswd…`, one word: no command's name)
    const skip =
      k !== -1 || entry || isFirstWord(s, m.index) ? end : words.length > 0 && starts[0] === i ? i + (words[0] as string).length : -1;
    if (skip > HTPASSWD_WORD.lastIndex) HTPASSWD_WORD.lastIndex = skip;
    if (k === -1) continue;
    const from = starts[k] as number;
    const to = from + (words[k] as string).length;
    out += s.slice(done, from) + maskedRange(s, from, to);
    done = to;
  }
  return done === 0 ? s : out + s.slice(done);
}
/**
 * Whether the word that holds `at` is its command's first (a path to the tool too: `/usr/bin/htpasswd`): the string's
 * start or a command's end (isCommandEnd) before it, spaces aside. Reads back over that word and the spaces before it.
 */
function isFirstWord(s: string, at: number): boolean {
  // a tool's path is never this long: a longer word is no command's first (and each call reads a bounded stretch, so a
  // run of names without spaces between them costs linear time, not quadratic)
  const floor = Math.max(0, at - FIRST_WORD_LOOKBACK);
  let b = at;
  while (b > floor && !/\s/.test(s[b - 1] as string) && !isCommandEnd(s[b - 1] as string)) b--;
  if (b === floor && b > 0 && !/\s/.test(s[b - 1] as string) && !isCommandEnd(s[b - 1] as string)) return false;
  while (b > floor && (s[b - 1] === " " || s[b - 1] === "\t")) b--;
  return b === 0 || isCommandEnd(s[b - 1] as string);
}
/** How far back isFirstWord reads: a path of a tool and the spaces before it. */
const FIRST_WORD_LOOKBACK = 96;
/** A pipe into chpasswd (`| chpasswd`, `| sudo chpasswd`, `| /usr/sbin/chpasswd`). */
const CHPASSWD_PIPE = /\|[ \t]*(?:sudo[ \t]+)?(?:[^\s|;&]*\/)?chpasswd(?![\w-])/gi;
/** `user:password` in the text piped into chpasswd: the password (to a space, a quote or a backslash: `\n`). */
const CHPASSWD_PAIR = /([\w.@${}-]+:)[^\s"'\\]+/g;

/**
 * `echo 'user:pw' | chpasswd` (also `printf 'a:x\nb:y\n' | sudo chpasswd`): each password in the command before the
 * pipe. Linear: each segment is read back only to the previous command's end, and each pipe ends one.
 */
function maskChpasswd(s: string): string {
  let out = "";
  let done = 0;
  CHPASSWD_PIPE.lastIndex = 0;
  for (let m = CHPASSWD_PIPE.exec(s); m !== null; m = CHPASSWD_PIPE.exec(s)) {
    let start = m.index;
    while (start > done && !isCommandEnd(s[start - 1] as string)) start--;
    out += s.slice(done, start) + s.slice(start, m.index).replace(CHPASSWD_PAIR, `$1${REDACTED}`);
    done = m.index;
  }
  return done === 0 ? s : out + s.slice(done);
}

/**
 * One part of a shell word: quoted (escaped too; to its closing quote) or bare (to a space, a quote or a command's
 * end; a backslash before a line break is a line's continuation, not the word's, and so is one that ends the string:
 * a script's line held alone, `["htpasswd -Bbn u \\", "  PASSWORD"]`).
 */
const WORD_PART = /(\\{0,7}["'])(?:(?!\1)[^\n])*\1|(?:[^\s"'`;&|()\\]|\\(?!["'\r\n]|$))+/y;

/** Shell words read from a string: each one's text and start, and where the last one ends. */
interface ShellWords {
  words: string[];
  starts: number[];
  end: number;
}

/**
 * The shell words from `i` on, at most `max`, to the command's end (`;`, `&`, `|`, a parenthesis, a backquote, a line
 * break, a quote that never closes): a word's parts glued (`P@ss"w d"` is one word), a line continued by a backslash
 * or a backtick read on (by cmd's `^` too, with `caret`: a Windows command's; a `^` that ends the string is no word).
 * Reads those words, and the spaces between them, once.
 */
function shellWords(s: string, i: number, max: number, caret = false): ShellWords {
  const words: string[] = [];
  const starts: number[] = [];
  let end = i;
  while (words.length < max) {
    for (;;) {
      const c = s[i];
      if (c === " " || c === "\t") i++;
      else if ((c === "\\" || c === "`" || (caret && c === "^")) && (s[i + 1] === "\n" || (s[i + 1] === "\r" && s[i + 2] === "\n")))
        i += s[i + 1] === "\n" ? 2 : 3;
      // cmd's `^` that ends the string: a script's line held alone, continued on the next (as WORD_PART's `\`)
      else if (caret && c === "^" && i + 1 === s.length) i++;
      else break;
    }
    const from = i;
    for (;;) {
      WORD_PART.lastIndex = i;
      if (!WORD_PART.test(s)) break;
      i = WORD_PART.lastIndex;
    }
    if (i === from) break;
    words.push(s.slice(from, i));
    starts.push(from);
    end = i;
  }
  return { words, starts, end };
}

/** The words `from` to `to` (excluded) of an argv, as strings (a number's text). */
const argvWords = (v: readonly unknown[], from: number, to: number): string[] =>
  v.slice(from, to).map((w) => (typeof w === "string" ? w : String(w)));

/** An argv's word that ends its command (`&&`, `;`): a tool before it runs another command than the words after it. */
const isArgvCommandEnd = (w: unknown): boolean => w === "&&" || w === "||" || w === ";" || w === "|";

/** A tool's name as an argv's word runs it: its path and `.exe` aside, lower case. */
function argvToolName(w: unknown): string {
  if (typeof w !== "string" || w.length > 256) return "";
  const n = w.slice(Math.max(w.lastIndexOf("/"), w.lastIndexOf("\\")) + 1).toLowerCase();
  return n.endsWith(".exe") ? n.slice(0, -4) : n;
}

/**
 * The nearest of an argv's elements before `i` (at most `back` before it, in the same command) whose tool `is` names,
 * or -1. `ends`: the last characters (lower case) such a word may have (its name's, or `.exe`'s): any other word's
 * name is not computed.
 */
function argvToolBefore(v: readonly unknown[], i: number, back: number, ends: string, is: (name: string) => boolean): number {
  for (let k = i - 1; k >= 0 && k >= i - back; k--) {
    const w = v[k];
    if (isArgvCommandEnd(w)) return -1;
    if (typeof w !== "string" || w.length < 4) continue;
    if (ends.includes((w[w.length - 1] as string).toLowerCase()) && is(argvToolName(w))) return k;
  }
  return -1;
}

/**
 * Before a tool's name: no character of a longer word, or an escaped line break or tab (`\n`: a script in JSON text
 * or a string, `…pw\nnet use …`).
 */
const TOOL_START = "(?:(?<![\\w.-])|(?<=\\\\[nrt]))";

/**
 * Each of a tool's credentials in a string masked: `find` finds the tool's name, `at` the credentials among its words
 * (`valueAt`: where the credential starts in its word, an option's `=` before it; `caret`: a Windows command's, whose
 * line cmd's `^` continues).
 * Linear: the words a name reads are not read again (another name among them is one of their values), but from a
 * credential on, which may run into the next command of a script whose line breaks are escaped (`pw\nnet use …`).
 */
function maskToolWords(
  s: string,
  find: RegExp,
  max: number,
  at: (words: readonly string[]) => readonly number[],
  valueAt: (word: string) => number = () => 0,
  caret = false,
): string {
  let out = "";
  let done = 0;
  find.lastIndex = 0;
  for (let m = find.exec(s); m !== null; m = find.exec(s)) {
    // a quoted path to the tool (`& "C:\Tools\PsExec.exe" …`): its closing quote is no word
    let i = find.lastIndex;
    while (s[i] === "\\" && i < find.lastIndex + 7) i++;
    i = s[i] === '"' || s[i] === "'" ? i + 1 : find.lastIndex;
    const r = shellWords(s, i, max, caret);
    const ks = at(r.words);
    const resume = ks.length > 0 ? (r.starts[ks[ks.length - 1] as number] as number) : r.end;
    if (resume > find.lastIndex) find.lastIndex = resume;
    for (const k of ks) {
      const from = (r.starts[k] as number) + valueAt(r.words[k] as string);
      const to = (r.starts[k] as number) + (r.words[k] as string).length;
      if (from < done) continue;
      out += s.slice(done, from) + maskedRange(s, from, to);
      done = to;
    }
  }
  return done === 0 ? s : out + s.slice(done);
}

/**
 * `net use` (`net1`, a path to `net.exe`), for a share's password, as `net help use` gives its syntax: `NET USE [DEVICE |
 * *] [\\COMPUTER\SHARE[\VOLUME] [PASSWORD | *]] [/USER:[DOMAIN\]NAME] [/SAVECRED] [/DELETE] …`, and `NET USE {DEVICE |
 * *} [PASSWORD | *] /HOME`.
 */
const NET_USE = new RegExp(`${TOOL_START}net(?:1|\\.exe)?(?:\\\\{0,7}["'])?[ \\t]+use(?=[ \\t])`, "gi");
/** net use's device: a drive (`Z:`), a printer port (`LPT1:`), or `*` (the next free drive). */
const NET_USE_DEVICE = /^(?:[a-z]:|\*|(?:lpt|com)\d:?)$/i;
/** A UNC path (`\\srv\share`, quoted, or its backslashes escaped in JSON text: `\\\\srv\\share`). */
const UNC_PATH = /^(?:\\{0,7}["'])?\\{2,}[^\\\s"']/;
/** A switch of a Windows command (`/user:dom\u`, `/persistent:no`, `/delete`). */
const isSwitch = (w: string): boolean => w.charCodeAt(0) === 47;
/** A redirection (`>nul`, `2>nul`, `>>log`, `<in`), its file attached; alone (`>`, `2>`), the next word is its file. */
const REDIRECTION = /^(?:\d|&)?(?:>>?|<)(?:&\d)?/;
/**
 * A variable's reference, bare or double-quoted (escaped too): cmd's `%PW%` and `!PW!`, PowerShell's and a shell's
 * `$pw`, `${pw}`, `$env:PW`. It names the password, it holds none (as ConvertTo-SecureString's `$pw`).
 */
const VARIABLE_WORD = /^(\\{0,7}"?)(?:%[^%\s]+%|![^!\s]+!|\$(?:\{[^}\s]+\}|env:\w+|\w+))\1$/i;
/** A word that ends a sentence (`yesterday.`, `Monday,`): letters, then a sentence's punctuation. */
const SENTENCE_END_WORD = /^[A-Za-z][a-z]+[.,;:]$/;

/**
 * Which of net use's words (those after `use`) is the share's password, or -1. Its switches aside (anywhere; a user's
 * name written apart, `/user NAME`, with its switch), and its redirections (`>nul`, `2> nul`), its words are an
 * optional device, the UNC path, then the password; or, with `/home`, a device and then the password; a comment
 * (`# …`, PowerShell's) ends them. None without a UNC path or `/home` (`net use Z: /delete`, prose's `net use of the
 * share`). Not `*` (it asks for the password), a variable (`%PASSWORD%`, `$pw`: VARIABLE_WORD), nor a word of prose
 * (`net use \\srv\share to map a drive`, `… yesterday.`).
 */
function netUsePassword(words: readonly string[]): number {
  /** the words that are no switch, by index */
  const at: number[] = [];
  let home = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === "#") break;
    const r = REDIRECTION.exec(w);
    if (r !== null) {
      if (r[0].length === w.length) i++;
    } else if (!isSwitch(w)) at.push(i);
    else if (/^\/u(?:ser)?$/i.test(w)) i++;
    else if (/^\/home$/i.test(w)) home = true;
  }
  const device = at.length > 0 && NET_USE_DEVICE.test(words[at[0] as number] as string) ? 1 : 0;
  const unc = at.length > device && UNC_PATH.test(words[at[device] as number] as string);
  if (!unc && !(home && device === 1)) return -1;
  const k = at[device + (unc ? 1 : 0)];
  if (k === undefined) return -1;
  const w = words[k] as string;
  return w === "*" || PROSE_WORD.test(w) || VARIABLE_WORD.test(w) || SENTENCE_END_WORD.test(w) ? -1 : k;
}

/** Where `use` is in a `net use` command that runs to the argv's element `i` (at most 10 words before it), or -1. */
function argvNetUse(v: readonly unknown[], i: number): number {
  for (let k = i - 1; k >= 1 && k >= i - 10; k--) {
    const w = v[k];
    if (isArgvCommandEnd(w)) return -1;
    if (typeof w !== "string") continue;
    if (w.length === 3 && w.toLowerCase() === "use") {
      const net = argvToolName(v[k - 1]);
      return net === "net" || net === "net1" ? k : -1;
    }
  }
  return -1;
}

/** PsExec (`psexec`, `PsExec64.exe`, a path to it), for its `-p PASSWORD` (https://learn.microsoft.com/sysinternals/downloads/psexec). */
const PSEXEC = new RegExp(`${TOOL_START}psexec(?:64)?(?:\\.exe)?(?![^\\s"'\`;&|()])`, "gi");
const isPsexec = (name: string): boolean => name === "psexec" || name === "psexec64";
/** PsExec's options that take a value (`-u USER`, `-w DIR`, `-n SECONDS`, `-r SERVICE`, `-a CPUS`, `-g NODE`). */
const PSEXEC_VALUED = new Set(["u", "w", "n", "r", "a", "g"]);

/**
 * Which of PsExec's words (those after its name) is `-p`'s password, or -1: its options come first (`-p`, or `/p` as
 * Windows commands write a switch: `/accepteula`, `/u USER /p PASSWORD`), with the computers (`\\host`, `@file`) among
 * them; the first other word is the command it runs, whose own options (`ssh -p 22`) are not PsExec's (its usage:
 * `psexec [\\computer[,…] | @file] [-u user [-p psswd]] [-n s] [-r servicename] … [-i [session]] [-c executable
 * [-f|-v]] [-w directory] … cmd [arguments]`). `-i` takes a session's number when one follows it, `-c` an executable
 * when a word that is no option does.
 */
function psexecPassword(words: readonly string[]): number {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (UNC_PATH.test(w) || w.startsWith("@")) continue;
    // an option: `-p`, or a switch written as Windows commands write them (`/accepteula`, `/p`)
    if (w.length < 2 || (w.charCodeAt(0) !== 45 && w.charCodeAt(0) !== 47)) return -1;
    const name = w.slice(1).toLowerCase();
    if (name === "p") {
      const value = words[i + 1];
      return value === undefined || PROSE_WORD.test(value) ? -1 : i + 1;
    }
    const next = words[i + 1] ?? "-";
    const option = next.charCodeAt(0) === 45 || next.charCodeAt(0) === 47;
    if (PSEXEC_VALUED.has(name) || (name === "i" && /^\d+$/.test(next)) || (name === "c" && !option)) i++;
  }
  return -1;
}

/** openssl (a path to it too), for `enc`'s `-k PASSWORD` and `-K KEY`. */
const OPENSSL_WORD = new RegExp(`${TOOL_START}openssl(?:\\.exe)?(?![^\\s"'\`;&|()])`, "gi");
/**
 * openssl's `enc` and the cipher commands that run it (`openssl aes-256-cbc`, `openssl des3`, `openssl bf`): their
 * `-k` is a password, not another command's option (`s_client` has none).
 */
const OPENSSL_ENC =
  /^(?:enc|(?:aes|aria|camellia)(?:-?(?:128|192|256))?(?:-[a-z0-9]+)*|(?:bf|blowfish|cast5?|des(?:3|x)?|idea|rc[245]|seed|sm4|chacha20)(?:-[a-z0-9]+)*)$/i;
/** enc's `-k PASSWORD` and `-K KEY` (the key itself, in hex), one dash or two; not `-kfile FILE`. */
const OPENSSL_KEY_OPTION = /^--?k$/i;
/** The same with its value attached, as OpenSSL's option parser splits `-flag=value` (`-k=PASSWORD`, `-K=KEY`). */
const OPENSSL_KEY_ATTACHED = /^--?k=./i;

/**
 * Which of openssl's words (those after its name) are `-k`'s or `-K`'s values, in `enc` or a cipher's command: the
 * word after the option, or the option itself where its value is attached (`-k=PASSWORD`: what follows its `=`,
 * opensslValueAt).
 */
function opensslKeys(words: readonly string[]): number[] {
  const at: number[] = [];
  if (!OPENSSL_ENC.test(words[0] ?? "")) return at;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    if (OPENSSL_KEY_ATTACHED.test(w)) {
      at.push(i);
      continue;
    }
    if (i + 1 === words.length || !OPENSSL_KEY_OPTION.test(w)) continue;
    if (!PROSE_WORD.test(words[i + 1] as string)) at.push(i + 1);
    i++;
  }
  return at;
}
/** Where an openssl key's value starts in its word: after the `=` of an option that holds it (`-k=PASSWORD`), else 0. */
const opensslValueAt = (w: string): number => (w.charCodeAt(0) === 45 ? w.indexOf("=") + 1 : 0);

/** `--entrypoint` before htpasswd's name (`--entrypoint htpasswd`, `--entrypoint=/usr/local/apache2/bin/htpasswd`). */
const ENTRYPOINT = "--entrypoint";

/**
 * Whether the htpasswd name at `at` is the value of a container's `--entrypoint` (its path before it, a quote around
 * it, `=` or spaces between): then an image's name sits between the container's options and htpasswd's own
 * (entrypointPassword). Reads back a bounded stretch, as isFirstWord does.
 */
function isEntrypointValue(s: string, at: number): boolean {
  const floor = Math.max(0, at - FIRST_WORD_LOOKBACK);
  let b = at;
  while (b > floor && !/[\s="']/.test(s[b - 1] as string)) b--;
  while (b > floor && (s[b - 1] === '"' || s[b - 1] === "'" || s[b - 1] === "\\")) b--;
  if (s[b - 1] === "=") b--;
  else {
    const e = b;
    while (b > floor && (s[b - 1] === " " || s[b - 1] === "\t")) b--;
    if (b === e) return false;
  }
  return b >= ENTRYPOINT.length && s.slice(b - ENTRYPOINT.length, b).toLowerCase() === ENTRYPOINT;
}

/** A container image's reference (`httpd:2`, `docker.io/library/httpd@sha256:…`): no option, no `=`. */
const IMAGE_WORD = /^[a-z0-9][\w./:@-]*$/i;
/** A container's option that takes no value (`--rm`, `-it`, `--init`): `docker run`'s and podman's flags. */
const CONTAINER_FLAG =
  /^(?:-[dDitPq]+|--(?:rm|detach|interactive|tty|init|privileged|publish-all|read-only|quiet|no-healthcheck|oom-kill-disable|disable-content-trust|help))$/;

/**
 * Which of the words after `--entrypoint htpasswd` is htpasswd's password (htpasswdPassword), or -1: the container's
 * options come first (a flag alone, any other option with its value, attached by `=` or the next word), then the
 * image (`httpd:2`), then htpasswd's own words (`docker run --rm --entrypoint htpasswd httpd:2 -Bbn user PASSWORD`).
 * A long option that CONTAINER_FLAG does not know may be a flag too (docker adds them: `--use-api-socket`): alone
 * where another option follows it, or where the word after it reads as an image (IMAGE_WORD) that htpasswd's options
 * follow, and these give a password.
 */
function entrypointPassword(words: readonly string[]): number {
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i] as string;
    if (w.charCodeAt(0) !== 45) break;
    if (w.includes("=") || CONTAINER_FLAG.test(w)) continue;
    const image = words[i + 1];
    const option = words[i + 2];
    // (another option after it: it took none)
    if (w.charCodeAt(1) === 45 && image?.charCodeAt(0) === 45) continue;
    if (w.charCodeAt(1) === 45 && image !== undefined && option !== undefined && IMAGE_WORD.test(image) && /^-[^-]/.test(option)) {
      const k = htpasswdPassword(words.slice(i + 2));
      if (k !== -1) return i + 2 + k;
    }
    i++;
  }
  const k = htpasswdPassword(words.slice(i + 1));
  return k === -1 ? -1 : i + 1 + k;
}

/** Where htpasswd is `--entrypoint`'s value in an argv that runs to its element `i` (at most 32 words before it), or -1. */
function argvEntrypoint(v: readonly unknown[], i: number): number {
  for (let k = i - 1; k >= 1 && k >= i - 32; k--) {
    const w = v[k];
    if (isArgvCommandEnd(w)) return -1;
    if (typeof w !== "string") continue;
    // (a word that can name no htpasswd, by its last character, is passed: most are)
    const last = w.charCodeAt(w.length - 1) | 32;
    if (last !== 100 && last !== 101) continue;
    if (w.length > 13 && w.charCodeAt(1) === 45 && w.toLowerCase().startsWith(`${ENTRYPOINT}=`) && isHtpasswd(w.slice(13))) return k;
    if (isHtpasswd(w) && typeof v[k - 1] === "string" && (v[k - 1] as string).toLowerCase() === ENTRYPOINT) return k;
  }
  return -1;
}

/**
 * An argv's element (at `i`) that is net use's password, PsExec's `-p`, openssl enc's `-k`/`-K` or htpasswd's password
 * after `--entrypoint htpasswd IMAGE`: the words from the tool on read as its command line's are. `afterOption`: the
 * element before is an option; `operand`: it may be an operand (mayBeOperand).
 */
function argvToolWord(v: readonly unknown[], i: number, afterOption: boolean, operand: boolean): boolean {
  const prev = v[i - 1];
  if (typeof prev === "string" && prev.length <= 3) {
    // PsExec's `-p`, or its switch `/p` (an operand's place: no `-` starts it)
    if ((prev === "-p" || prev === "-P" || prev === "/p" || prev === "/P") && i >= 2) {
      const k = argvToolBefore(v, i, 24, "c4e", isPsexec);
      if (k !== -1 && psexecPassword(argvWords(v, k + 1, i + 1)) === i - k - 1) return true;
    }
    if (afterOption && OPENSSL_KEY_OPTION.test(prev)) {
      const k = argvToolBefore(v, i, 40, "le", (n) => n === "openssl");
      if (k !== -1 && opensslKeys(argvWords(v, k + 1, i + 1)).includes(i - k - 1)) return true;
    }
  }
  if (!operand) return false;
  const use = argvNetUse(v, i);
  if (use !== -1) {
    // its words to the command's end (`/home` may follow the password), at most 12 as in a command line
    let to = use + 1;
    while (to < v.length && to <= use + 12 && !isArgvCommandEnd(v[to])) to++;
    if (netUsePassword(argvWords(v, use + 1, to)) === i - use - 1) return true;
  }
  const entry = argvEntrypoint(v, i);
  return entry !== -1 && entrypointPassword(argvWords(v, entry + 1, i + 1)) === i - entry - 1;
}

/** chpasswd as a word (a path to it too: `/usr/sbin/chpasswd`). */
const CHPASSWD_WORD = new RegExp(`${TOOL_START}chpasswd(?![\\w-])`, "gi");
/** The same, read at a place (sticky). */
const CHPASSWD_AT = new RegExp(CHPASSWD_WORD.source, "iy");
/**
 * A line of chpasswd's input, `user:password`, read where its indentation ends (a `<<-` here-document's tabs): its
 * user (a variable's too: `$ADMIN`, `${ADMIN}`), then the password.
 */
const CHPASSWD_USER = /[\w.@${}-]+:/y;
/**
 * `user:password` in a quoted here-string's text (`<<< "root:p w"`, its quotes aside): the password, to an escaped line
 * break (`$'a:x\nb:y'`); an escaped backslash is the password's (`"root:S3\\cret"`).
 */
const CHPASSWD_QUOTED_PAIR = /([\w.@${}-]+:)(?:[^\\\r\n]|\\\\|\\(?![nr\\]))+/g;
/** A bare here-string's `user:` (`<<< root:S3cret`, `<<< root:"S3 cret"`): the rest of its word is the password. */
const CHPASSWD_BARE_USER = /^[\w.@${}-]+:/;

/**
 * A here-string's word (`<<< WORD`) with its passwords masked: quoted (`'root:pw'`, `"root:p w"`, `$'a:x\nb:y'`, its
 * quotes escaped in JSON text: `\"root:pw\"`), each `user:password` in its text (the quotes kept); bare, the rest of
 * the word after its user (`root:"S3 cret"tail`: one word, its quotes glued), to an escaped line break (JSON text's `\n`).
 */
function maskedHereString(word: string): string {
  const lead = /^\$?(\\{0,7}["'])?/.exec(word) as RegExpExecArray;
  const quote = lead[1];
  if (quote === undefined) {
    const user = CHPASSWD_BARE_USER.exec(word);
    if (user === null) return word;
    const rest = word.slice(user[0].length);
    // to an escaped line break (each run of backslashes read once)
    let end = 0;
    while (end < rest.length) {
      if (rest[end] !== "\\") {
        end++;
        continue;
      }
      let k = end;
      while (rest[k] === "\\") k++;
      if (rest[k] === "n" || rest[k] === "r") break;
      end = k;
    }
    return end === 0 ? word : `${user[0]}${REDACTED}${rest.slice(end)}`;
  }
  const close = word.length >= lead[0].length + quote.length && word.endsWith(quote) ? quote.length : 0;
  const text = word.slice(lead[0].length, word.length - close);
  return `${lead[0]}${text.replace(CHPASSWD_QUOTED_PAIR, `$1${REDACTED}`)}${word.slice(word.length - close)}`;
}

/**
 * Where the line break at `i` ends, or -1 where none is there: a line break, written (`\n`) or escaped as JSON text or
 * a script's string writes it (`\n`, `\\n`, with `\r` before it too) when `escaped`.
 */
function lineBreakEnd(s: string, i: number, escaped: boolean): number {
  if (s[i] === "\n") return i + 1;
  if (s[i] === "\r" && s[i + 1] === "\n") return i + 2;
  if (!escaped || s[i] !== "\\") return -1;
  let j = i;
  while (s[j] === "\\") j++;
  if (s[j] === "r") {
    j++;
    while (s[j] === "\\") j++;
  }
  return s[j] === "n" && s[j - 1] === "\\" ? j + 1 : -1;
}

/**
 * Where the next line break (lineBreakEnd's) from `i` on starts, or `limit`. A run of backslashes that starts none is
 * passed whole (none starts inside it: lineBreakEnd reads any run to its end), so each character is read once or twice.
 */
function nextLineBreak(s: string, i: number, limit: number, escaped: boolean): number {
  while (i < limit && lineBreakEnd(s, i, escaped) === -1) {
    if (s[i] === "\\") while (s[i] === "\\" && i < limit) i++;
    else i++;
  }
  return Math.min(i, limit);
}

/**
 * chpasswd's input given on its command line: a here-string (`chpasswd <<< 'user:pw'`, `<<<"user:pw"`) or a
 * here-document (`chpasswd <<EOF`, `<<-'EOF'`, `cat <<EOF | sudo chpasswd`) on chpasswd's line, its body's lines to
 * the delimiter's (`user:pw`: the password masked, the user kept). A script held in JSON text or a string writes its
 * line breaks escaped (`chpasswd <<EOF\nroot:pw\nEOF`): its body's lines are read so, to the string's line's end.
 * Linear: each line, and each body, is read once (a chpasswd inside a body is data, not read again).
 */
function maskChpasswdInput(s: string): string {
  const masks: Array<[number, number, string]> = [];
  /** where the text read ends: a chpasswd before it was read with its line (or is in a body: data) */
  let read = 0;
  CHPASSWD_WORD.lastIndex = 0;
  for (let m = CHPASSWD_WORD.exec(s); m !== null; m = CHPASSWD_WORD.exec(s)) {
    // its line: between line breaks (a written one, or an escaped `\n`), back to what was read
    let ls = m.index;
    while (ls > read && s[ls - 1] !== "\n" && !(s[ls - 1] === "n" && s[ls - 2] === "\\")) ls--;
    const realEnd = lineEnd(s, m.index);
    const le = nextLineBreak(s, m.index, realEnd, true);
    read = le;
    const pipelines = chpasswdPipelines(s, ls, le);
    // a here-document's `<<` in a comment or in quotes is text (`# chpasswd <<EOF reads stdin`, `echo "chpasswd <<EOF"`:
    // no body follows); a here-string's word is on the line, a command's in quotes too (`bash -c 'chpasswd <<< …'`)
    const code = shellCode(s, ls, le);
    /**
     * the delimiters of the here-documents on the line, in order (their bodies follow in that order), each with whether
     * it is chpasswd's input; where the first one's word ends
     */
    const delims: Array<[string, boolean]> = [];
    let bodyAt = -1;
    let pipeline = 0;
    for (let i = ls; i + 1 < le; i++) {
      if (s[i] !== "<" || s[i + 1] !== "<") continue;
      // only chpasswd's input: a pipeline that runs it (`cat <<EOF > app.yaml; chpasswd < f` feeds it nothing)
      while ((pipelines[pipeline] as [number, boolean])[0] <= i) pipeline++;
      const feeds = (pipelines[pipeline] as [number, boolean])[1];
      if (s[i + 2] === "<") {
        if (!feeds) {
          i += 2;
          continue;
        }
        // a here-string: its word's passwords
        const w = shellWords(s, i + 3, 1);
        if (w.words.length === 1) {
          const word = w.words[0] as string;
          const masked = maskedHereString(word);
          if (masked !== word) masks.push([w.starts[0] as number, w.end, masked]);
        }
        i = Math.max(i + 2, w.end - 1);
        continue;
      }
      if (i >= code.end || code.quoted?.[i - ls] === 1) continue;
      HEREDOC_DELIMITER.lastIndex = i + 2;
      const d = HEREDOC_DELIMITER.exec(s);
      if (d === null) continue;
      delims.push([d[1] as string, feeds]);
      if (bodyAt === -1) bodyAt = HEREDOC_DELIMITER.lastIndex;
      i = HEREDOC_DELIMITER.lastIndex - 1;
    }
    if (delims.some(([, input]) => input)) {
      // the body starts on the next line: an escaped line break before the line's end makes it a string's script
      const q = nextLineBreak(s, bodyAt, realEnd, true);
      let escaped = q < realEnd;
      /** where the next body starts (escaped), or the line break before it */
      let at = escaped ? lineBreakEnd(s, q, true) : realEnd;
      for (const [delim, input] of delims) {
        if (at === -1) break;
        let r = readHereDocument(s, at, delim, escaped, input ? masks : undefined);
        if (!r.found && escaped) {
          // an escaped `\n` on a script's line (a comment's) that ends no line: the body is on the lines below
          escaped = false;
          r = readHereDocument(s, realEnd, delim, false, input ? masks : undefined);
        }
        read = Math.max(read, r.end);
        if (!r.found) break;
        at = escaped ? lineBreakEnd(s, r.end, true) : lineEnd(s, r.end);
      }
    }
    CHPASSWD_WORD.lastIndex = Math.max(CHPASSWD_WORD.lastIndex, read);
  }
  if (masks.length === 0) return s;
  masks.sort((a, b) => a[0] - b[0]);
  let out = "";
  let done = 0;
  for (const [from, to, text] of masks) {
    if (from < done) continue;
    out += s.slice(done, from) + text;
    done = to;
  }
  return out + s.slice(done);
}

/**
 * A shell line's code, `[ls, le)`: where a comment starts (`#` at a word's start, outside quotes: its end else), and
 * which of its characters are quoted (`quoted[i - ls]`, undefined where none is). A quote is quoted text where it closes
 * on the line, escaped as it opened (`"…"`, `\"…\"`: JSON text's script quotes its own words so); one that never
 * closes there is the string that holds the script (JSON text's `"script": "…\n…"`), whose text is the code. Linear:
 * the open quotes are at most one of each kind (a quote character and its escape's length, up to seven backslashes).
 */
function shellCode(s: string, ls: number, le: number): { end: number; quoted: Uint8Array | undefined } {
  let quotes = false;
  for (let i = ls; i < le && !quotes; i++) quotes = s[i] === '"' || s[i] === "'" || s[i] === "#";
  if (!quotes) return { end: le, quoted: undefined };
  const quoted = new Uint8Array(le - ls);
  /** the open quotes: each one's character, its backslashes' count and where it starts */
  const open: Array<[string, number, number]> = [];
  /** the quotes that open and close on the line (closed text) */
  const spans: Array<[number, number]> = [];
  for (let i = ls; i < le; i++) {
    const c = s[i];
    if (c !== '"' && c !== "'") continue;
    let b = i;
    while (b > ls && s[b - 1] === "\\") b--;
    const run = i - b;
    if (run > 7) continue;
    const k = open.findIndex(([oc, orun]) => oc === c && orun === run);
    if (k === -1) open.push([c, run, b]);
    else {
      spans.push([(open[k] as [string, number, number])[2], i + 1]);
      open.length = k;
    }
  }
  for (const [from, to] of spans) quoted.fill(1, from - ls, to - ls);
  // a comment: `#` after a space, the line's start, a command's end, or a quote that never closes (the script's string)
  const unclosed = new Set(open.map(([, run, at]) => at + run));
  for (let i = ls; i < le; i++) {
    if (s[i] !== "#" || quoted[i - ls] === 1) continue;
    const p = s[i - 1];
    const tab = p === "t" && s[i - 2] === "\\";
    if (i === ls || p === " " || p === "\t" || tab || p === ";" || p === "&" || p === "|" || p === "(" || unclosed.has(i - 1)) {
      return { end: i, quoted };
    }
  }
  return { end: le, quoted };
}

/**
 * The pipelines of a line (`;`, `&&`, `||`, `&` end one, not a redirection's `2>&1` or `&>`; a pipe does not), in order:
 * each one's end (the last one's `le`, and one past it) and whether it runs chpasswd. Reads the line once.
 */
function chpasswdPipelines(s: string, ls: number, le: number): Array<[number, boolean]> {
  const out: Array<[number, boolean]> = [];
  let runs = false;
  for (let i = ls; i < le; i++) {
    const c = s[i];
    if (c === ";" || (c === "&" && s[i - 1] !== ">" && s[i - 1] !== "<" && s[i + 1] !== ">")) {
      out.push([i, runs]);
      runs = false;
    } else if ((c === "c" || c === "C") && !runs) {
      CHPASSWD_AT.lastIndex = i;
      runs = CHPASSWD_AT.test(s);
    }
  }
  out.push([le, runs], [Number.POSITIVE_INFINITY, false]);
  return out;
}

/** A here-document's delimiter after `<<`: a word, quoted (escaped too) or not (`<<EOF`, `<<-'EOF'`, `<< "END"`, `<<\EOF`). */
const HEREDOC_DELIMITER = /-?[ \t]*\\{0,7}["']?\\?([\w.-]+)/y;

/**
 * A here-document's body, from its line break at `at` (the key's line's end) to its delimiter's line (its end, `found`)
 * or, not found, the string's end (or, `escaped`, the end of the string's line that holds the script): each
 * `user:password` line's password masked (into `masks`), after its indentation (spaces, tabs, an escaped body's `\t`).
 * An escaped body's password ends at a quote that ends its string. Where the delimiter never comes, the lines read may
 * be no body at all (a `<<` in text the line's quotes and comments did not tell apart): only a line that reads as
 * chpasswd's input is masked, its password glued to its user's colon (`root:S3cret`; not `image: nginx:1.25`).
 */
function readHereDocument(
  s: string,
  at: number,
  delim: string,
  escaped: boolean,
  masks: Array<[number, number, string]> | undefined,
): { end: number; found: boolean } {
  const limit = escaped ? lineEnd(s, at) : s.length;
  let q = at;
  if (!escaped) {
    const b = lineBreakEnd(s, q, false);
    if (b === -1) return { end: q, found: false };
    q = b;
  }
  /** the passwords read, each with whether its line reads as chpasswd's input without the delimiter */
  const body: Array<[number, number, boolean]> = [];
  while (q < limit) {
    // the line [q, e), its break ending at `next`
    const e = nextLineBreak(s, q, limit, escaped);
    const next = e < limit ? (lineBreakEnd(s, e, escaped) as number) : limit;
    let a = q;
    for (;;) {
      if (s[a] === " " || s[a] === "\t") a++;
      else if (escaped && s[a] === "\\") {
        // an escaped tab (`\t`, `\\t`)
        let b = a;
        while (s[b] === "\\" && b < e) b++;
        if (s[b] !== "t" || b >= e) break;
        a = b + 1;
      } else break;
    }
    let z = e;
    while (z > a && (s[z - 1] === " " || s[z - 1] === "\t" || s[z - 1] === "\r")) z--;
    if (s.startsWith(delim, a) && (a + delim.length === z || (escaped && /["'\\]/.test(s[a + delim.length] as string)))) {
      if (masks !== undefined) for (const [from, to] of body) masks.push([from, to, REDACTED]);
      return { end: a + delim.length, found: true };
    }
    CHPASSWD_USER.lastIndex = a;
    if (masks !== undefined && a < e && CHPASSWD_USER.test(s)) {
      const from = CHPASSWD_USER.lastIndex;
      let to = from;
      // escaped: to a quote that an even run of backslashes (none) escapes, the end of the JSON string
      if (escaped) {
        while (to < z) {
          if (s[to] === "\\") to += 2;
          else if (s[to] === '"' || s[to] === "'") break;
          else to++;
        }
        to = Math.min(to, z);
      } else to = z;
      if (to > from && s.slice(from, to) !== REDACTED) body.push([from, to, s[from] !== " " && s[from] !== "\t"]);
    }
    q = next;
  }
  if (masks !== undefined) for (const [from, to, input] of body) if (input) masks.push([from, to, REDACTED]);
  return { end: limit, found: false };
}

/**
 * PowerShell's `ConvertTo-SecureString`: its String parameter, the plain text with `-AsPlainText` (an encrypted one
 * without: masked all the same), named (`-String 'x'`, `-String:'x'`, any prefix from `-St`) or the first positional
 * argument, after the switches too (`-AsPlainText -Force 'x'`), or piped in (`'x' | ConvertTo-SecureString …`).
 */
const SECURE_STRING = /(?<![\w-])convertto-securestring(?![\w-])/gi;
/**
 * A word after it: spaces (a backtick's line continuation too), then a parameter (`-Name`, its `:` when its value is
 * attached; PowerShell takes an en dash, an em dash or a horizontal bar for the `-` too: `–AsPlainText`) or a value:
 * quoted (escaped too, in JSON text), or bare (not a subexpression's `$(`). What ends the command (`|`, `;`, `)`, `}`,
 * a line break) or an expression (`(`) ends the words.
 */
const PS_WORD = /(?:[ \t]|`\r?\n)*(?:[-\u2013\u2014\u2015]([A-Za-z]+)(:?)|(\\{0,7}["'])(?:(?!\3)[^\n])*\3|(?!\$\()[^\s"'|;(){}]+)/y;
/** A parameter's value written attached to it (`-String:'x'`). */
const PS_ATTACHED = /(\\{0,7}["'])(?:(?!\1)[^\n])*\1|(?!\$\()[^\s"'|;(){}]+/y;
/** ConvertTo-SecureString's switches (any prefix of theirs): no value follows them. */
const PS_SWITCHES = ["asplaintext", "force", "verbose", "debug"];
/** A literal piped into it: alone in its command, or echoed (`'x' |`, `Write-Output "x" |`). */
const PS_PIPED = /^[ \t]*(?:(?:echo|write-output)[ \t]+)?(\\{0,7}["'])(?:(?!\1)[^\n])*\1[ \t]*$/i;

/** The text between `from` and `to` masked as a value (its quotes kept). */
function maskedRange(s: string, from: number, to: number): string {
  const quote = /^\\*["']/.exec(s.slice(from, Math.min(to, from + 9)))?.[0];
  return quote === undefined ? REDACTED : `${quote}${REDACTED}${quote}`;
}

/**
 * What a command's (or an expression's) name follows, spaces aside: the line's start, an assignment, a parenthesis, a
 * pipe, a block, `;`, `&`, a quote that opens a script (`-Command "…"`, JSON text's `\"`), a backtick, a comma.
 */
const PS_COMMAND_START = /[=(|;{\r\n&"'`,]/;

/**
 * Whether `-AsPlainText` or `-Force` (any prefix from `-As`, `-Fo`; an en dash too) is among the few words of a
 * ConvertTo-SecureString command from `i` on: the word before them is its argument, whatever precedes the command's
 * name (`powershell -Command ConvertTo-SecureString S3cret -AsPlainText`, `return …`, a prompt's `PS C:\> …`).
 * Bounded: at most 8 words.
 */
function plainTextFollows(s: string, i: number): boolean {
  // options (each with at most one value) until -AsPlainText or -Force: a plain word where no option's value is due is prose
  let valueDue = false;
  for (let k = 0; k < 8; k++) {
    PS_WORD.lastIndex = i;
    const w = PS_WORD.exec(s);
    if (w === null) return false;
    const name = w[1]?.toLowerCase();
    if (name !== undefined) {
      if (name.length >= 2 && ("asplaintext".startsWith(name) || "force".startsWith(name))) return true;
      valueDue = true;
    } else if (valueDue) valueDue = false;
    else return false;
    i += w[0].length;
  }
  return false;
}

/** Words of prose that stand where ConvertTo-SecureString's positional value would (`Avoid ConvertTo-SecureString with -AsPlainText`). */
const PROSE_WORD =
  /^(?:with|without|and|or|the|a|an|to|in|on|of|for|from|by|via|instead|docs?|is|are|be|only|use|using|then|than|that|this|it|its)$/i;

/**
 * Each ConvertTo-SecureString's plain text masked (see SECURE_STRING). A bare positional value only where the name is
 * a command's (PS_COMMAND_START), or where `-AsPlainText` or `-Force` follows it (plainTextFollows): in prose (`Use ConvertTo-SecureString -AsPlainText -Force only in tests`) the word
 * after the switches is no argument; a quoted one is masked anywhere. A variable (`$pw`, `$env:PW`) names the plain
 * text, it holds none: kept. Linear: the words a match reads, no later match reads again.
 */
function maskSecureString(s: string): string {
  let out = "";
  let done = 0;
  SECURE_STRING.lastIndex = 0;
  for (let m = SECURE_STRING.exec(s); m !== null; m = SECURE_STRING.exec(s)) {
    let b = m.index;
    while (b > 0 && (s[b - 1] === " " || s[b - 1] === "\t")) b--;
    const command = b === 0 || PS_COMMAND_START.test(s[b - 1] as string);
    // piped in: the command before the pipe, back to the previous command's end
    let p = m.index;
    while (p > done && (s[p - 1] === " " || s[p - 1] === "\t")) p--;
    if (p > done && s[p - 1] === "|") {
      let start = p - 1;
      while (start > done && !isCommandEnd(s[start - 1] as string) && s[start - 1] !== "=" && s[start - 1] !== "{") start--;
      const piped = PS_PIPED.exec(s.slice(start, p - 1));
      if (piped !== null) {
        const q = piped[1] as string;
        const from = start + piped[0].indexOf(q);
        const to = start + piped[0].lastIndexOf(q);
        out += `${s.slice(done, from)}${q}${REDACTED}${q}`;
        done = to + q.length;
      }
    }
    let i = m.index + m[0].length;
    // 1: the next word is the String's value; 2: another parameter's value
    let want = 0;
    for (;;) {
      PS_WORD.lastIndex = i;
      const w = PS_WORD.exec(s);
      if (w === null) break;
      const end = i + w[0].length;
      const name = w[1]?.toLowerCase();
      if (name !== undefined) {
        const string = name.length >= 2 && "string".startsWith(name);
        const flag = PS_SWITCHES.some((sw) => sw.startsWith(name));
        i = end;
        want = 0;
        if (w[2] === ":") {
          PS_ATTACHED.lastIndex = i;
          const v = PS_ATTACHED.exec(s);
          if (v === null) continue;
          if (string) {
            if (v[0].startsWith("$")) break;
            out += s.slice(done, i) + maskedRange(s, i, i + v[0].length);
            done = i + v[0].length;
            i = done;
            break;
          }
          i += v[0].length;
        } else if (!flag) want = string ? 1 : 2;
        continue;
      }
      if (want === 2) {
        want = 0;
        i = end;
        continue;
      }
      // the String, named or the first positional value
      const from = end - w[0].trimStart().length;
      i = end;
      if (
        w[3] === undefined &&
        (s[from] === "$" || (want === 0 && !command && (!plainTextFollows(s, end) || PROSE_WORD.test(s.slice(from, end).trim()))))
      )
        break;
      out += s.slice(done, from) + maskedRange(s, from, end);
      done = end;
      break;
    }
    // a match among the words read is one of their values: not read again
    if (i > SECURE_STRING.lastIndex) SECURE_STRING.lastIndex = i;
  }
  return done === 0 ? s : out + s.slice(done);
}

/** A `user:password` (curl) or `key=value` (kubectl) option's value masked: the user or the key kept, the quotes too. */
const maskedPair = (_m: string, g: unknown[]): string => {
  const [opt, quote, quotedUser, user, pwQuote] = g as [string, string?, string?, string?, string?];
  if (quote !== undefined) return `${opt}${quote}${quotedUser}${REDACTED}${quote}`;
  return `${opt}${user}${maskedOption("", pwQuote)}`;
};

/** A masked option value: its quotes kept. */
const maskedOption = (opt: string, quote: string | undefined): string =>
  quote === undefined ? `${opt}${REDACTED}` : `${opt}${quote}${REDACTED}${quote}`;

/** Each secret option's value masked (see LONG_OPTION). */
function maskLongOptions(s: string): string {
  let out = "";
  let done = 0;
  LONG_OPTION.lastIndex = 0;
  for (let m = LONG_OPTION.exec(s); m !== null; m = LONG_OPTION.exec(s)) {
    const [opt, dashes, name, sep] = m as unknown as [string, string, string, string];
    const single = dashes !== "--";
    if (single ? !PS_SECRET.test(name) : sep.startsWith(":") || !LONG_SECRET.test(name) || LONG_NOT_SECRET.test(name)) continue;
    const end = m.index + opt.length;
    LONG_VALUE.lastIndex = end;
    const v = LONG_VALUE.exec(s);
    // PowerShell's boolean (`-RequirePassword $true`) is a setting; an expression (`-Password (ConvertTo-SecureString
    // …)`) holds its own command, whose plain text maskSecureString masks
    if (v === null || (single && (PS_BOOLEAN.test(v[0]) || v[0].startsWith("(")))) continue;
    out += s.slice(done, end) + maskedOption("", v[1]);
    done = end + v[0].length;
    LONG_OPTION.lastIndex = done;
  }
  return done === 0 ? s : out + s.slice(done);
}

/** The tools whose short options name a credential (bits: a command may name more than one). */
const CURL = 1;
const MYSQL = 2;
const LOGIN = 4;
const SQLCMD = 8;
/** A registry's or a cloud's login: `docker login`, `az login`, `az acr login`, `helm registry login`. */
const LOGIN_TOOLS = new Set(["docker", "podman", "helm", "az", "oras", "nerdctl", "buildah", "skopeo"]);
const MYSQL_TOOLS = new Set([
  "mysql",
  "mysqldump",
  "mysqladmin",
  "mysqlimport",
  "mysqlcheck",
  "mysqlsh",
  "mariadb",
  "mariadb-dump",
  "mariadb-admin",
]);
/** Pending a `login` word: one of LOGIN_TOOLS was seen (not a tool's bit). */
const LOGIN_TOOL = 16;
/** `sshpass -p PASSWORD ssh …`: its `-p` until the command it runs (then ssh's `-p PORT`). */
const SSHPASS = 32;
const SSHPASS_RUNS = new Set(["ssh", "scp", "sftp", "rsync"]);
/** `redis-cli -a PASSWORD`. */
const REDIS = 64;
/**
 * A command whose words are files, names or patterns, never a command it runs (not a tool's bit): a tool that a later
 * word names is an argument's name (`cp mysql -pr backup/`, `tar -C mysql -pcf …`), and a short option's value
 * that is a cluster of flags (FLAG_CLUSTER: `-pr`, `-pcf`) is the command's own. Only then: any other first word may
 * run the command that follows it (`docker exec db mysql …`, `ssh host mysql …`, `gosu app mysql …`), or be text
 * before a command (`# az login -p …`), and a credential's value may be anything but the command's own flags. A
 * leak costs more than an option's masked value.
 */
const ARGUMENTS = 128;
/**
 * Pending a login tool's option's value (not a tool's bit): the word after an option written without `=` (`docker
 * --config /x login`, `docker -H tcp://h:2375 login`) keeps the login tool waiting. Above 16 bits: the tools' arrays
 * (Uint16Array) never hold it.
 */
const LOGIN_OPTION = 0x10000;
/**
 * Pending a `user` word: `net` (`net1`, a path to `net.exe`) was the word before (not a tool's bit; above 16 bits, as
 * LOGIN_OPTION). NET only for `net user`, its words adjacent: `net` is a word of prose too (`The net effect: user
 * traffic from 10.0.0.0/8 …` is no command), and `net user` after any word still runs (`docker exec c net user …`).
 */
const NET_WORD = 0x20000;
/** The tools whose operands or options below name a credential (AWS_CONFIGURE_SECRET, OPENSSL_PASS, …). */
const AWS = 256;
const AZ = 512;
const OPENSSL = 1024;
const KUBECTL = 2048;
const NET = 4096;
const HTPASSWD = 8192;
/** A `secret` subcommand word after az or kubectl (`az keyvault secret`, `kubectl create secret`). */
const SECRET_COMMAND = 16384;
/**
 * `az keyvault secret set`, `aws ssm put-parameter`, `az network vpn-connection shared-key update`: their `--value` is
 * the secret.
 */
const VALUE_SECRET = 32768;
const ARGUMENT_COMMANDS = new Set([
  "cp",
  "mv",
  "rm",
  "ln",
  "ls",
  "tar",
  "zip",
  "unzip",
  "gzip",
  "chown",
  "chmod",
  "chgrp",
  "mkdir",
  "rmdir",
  "touch",
  "install",
  "grep",
  "egrep",
  "fgrep",
  "sed",
  "cat",
  "head",
  "tail",
  "du",
  "df",
  "stat",
  "file",
  "tee",
  "wc",
  "sort",
  "cut",
  "diff",
  "cd",
  "systemctl",
  "service",
  "journalctl",
  "apt",
  "apt-get",
  "yum",
  "dnf",
  "apk",
  "rpm",
  "dpkg",
  "pip",
  "pip3",
  "useradd",
  "usermod",
  "groupadd",
]);

/**
 * What may precede a command's name: `sudo` (its options too), `env`, `nohup`, variables set for it (`MYSQL_HOST=db`):
 * the name after them is still the first word (a path in it runs the tool).
 */
const COMMAND_PREFIX = /^(?:sudo|doas|env|nohup|exec|time|command|[A-Za-z_]\w*=.*|-.*)$/;

/** What ends a command (`&&`, `||`, `;`, `|`, a line break, a subshell's parenthesis or backquote) or a word. */
const isCommandEnd = (c: string): boolean =>
  c === ";" || c === "&" || c === "|" || c === "\n" || c === "\r" || c === "(" || c === ")" || c === "`";
const isWordEnd = (c: string): boolean => c === " " || c === "\t" || c === '"' || c === "'" || isCommandEnd(c);

/**
 * The words between a login tool and its `login` (`az acr login`, `helm registry login`), besides its global options
 * and their values (`docker --config /x login`, `az --debug acr login`): any other word there makes `login` no
 * subcommand (`docker run --name login -p 8080:80`: a container's name).
 */
const LOGIN_GROUPS = new Set(["acr", "registry"]);

/**
 * A command word's tool bits (given those seen before it in the command): the tool its first word names (a path there
 * too: `/usr/bin/curl`), or a later word (never a path then: `cp -pr /etc/mysql …` names a directory); `login` straight
 * after a login tool (`docker login`) or its group (`az acr login`, `helm registry login`); ARGUMENTS for a first word
 * of ARGUMENT_COMMANDS.
 */
function wordTool(word: string, first: boolean, seen: number): number {
  const optionValue = (seen & LOGIN_OPTION) !== 0;
  const before = seen & ~LOGIN_OPTION;
  const bits = wordBits(word, first, before);
  // (a pending `net` that this word does not follow up is no tool of its own)
  if ((before & LOGIN_TOOL) === 0 || bits !== (before & ~NET_WORD)) return bits;
  // an option (`--config`, `-H`, `--debug`): its value, if written apart, may follow; either way the tool still waits
  if (word.charCodeAt(0) === 45) return word.includes("=") ? bits : bits | LOGIN_OPTION;
  if (optionValue || LOGIN_GROUPS.has(word.toLowerCase())) return bits;
  return bits & ~LOGIN_TOOL;
}

/** wordTool's bits, the pending login tool aside. */
function wordBits(word: string, first: boolean, seen: number): number {
  if ((seen & NET_WORD) !== 0) {
    seen &= ~NET_WORD;
    if (word.length === 4 && word.toLowerCase() === "user") return seen | NET;
  }
  if (word.length > 256) return seen;
  let w = word.toLowerCase();
  const slash = Math.max(w.lastIndexOf("/"), w.lastIndexOf("\\"));
  if ((seen & SSHPASS) !== 0 && SSHPASS_RUNS.has(w.slice(slash + 1).replace(/\.exe$/, ""))) return seen & ~SSHPASS;
  if (!first && slash >= 0) return seen;
  w = w.slice(slash + 1);
  if (w.endsWith(".exe")) w = w.slice(0, -4);
  // as the shell runs them (`RM` is no rm)
  if (first && ARGUMENT_COMMANDS.has(word.slice(slash + 1))) return seen | ARGUMENTS;
  if (w === "curl") return seen | CURL;
  if (MYSQL_TOOLS.has(w)) return seen | MYSQL;
  if (w === "sqlcmd" || w === "bcp") return seen | SQLCMD;
  if (w === "sshpass") return seen | SSHPASS;
  if (w === "redis-cli") return seen | REDIS;
  if (w === "aws") return seen | AWS;
  if (w === "openssl") return seen | OPENSSL;
  if (w === "kubectl" || w === "oc") return seen | KUBECTL;
  if (w === "net" || w === "net1") return seen | NET_WORD;
  if (w === "htpasswd") return seen | HTPASSWD;
  if (w === "secret" && (seen & (AZ | KUBECTL)) !== 0) return seen | SECRET_COMMAND;
  if (
    (w === "set" && (seen & (AZ | SECRET_COMMAND)) === (AZ | SECRET_COMMAND)) ||
    (w === "put-parameter" && (seen & AWS) !== 0) ||
    (w === "shared-key" && (seen & AZ) !== 0)
  )
    return seen | VALUE_SECRET;
  if (w === "az") return seen | AZ | LOGIN_TOOL;
  if (LOGIN_TOOLS.has(w)) return seen | LOGIN_TOOL;
  if (w === "login" && (seen & LOGIN_TOOL) !== 0) return (seen & ~LOGIN_TOOL) | LOGIN;
  return seen;
}

/**
 * The tools each character of a command line is an argument of: a command ends at `&&`, `||`, `;`, `|` or a line
 * break, and runs the tool its first word names (`curl`, `sudo curl`, `/usr/bin/curl`; see wordTool), or one that a
 * later word names (`docker exec db mysql`); not an argument of a command that runs none (`cp mysql -pr …`), a path
 * to a directory (`/etc/mysql`) nor a longer name (`mysql-server`, `Invoke-Sqlcmd`). A quoted argument is a command
 * line of its own (`--scripts "curl -u …"`, `bash -c 'mysql -p…'`) until its quote closes (escaped or not: JSON text quotes it so). Linear: each word is read once.
 */
function commandTools(s: string): Uint16Array {
  const tools = new Uint16Array(s.length);
  let outer = 0;
  let inner = 0;
  let outerFirst = true;
  let innerFirst = true;
  let quote = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if ((c === '"' || c === "'") && (quote === "" || c === quote)) {
      if (quote === "") {
        quote = c;
        inner = 0;
        innerFirst = true;
      } else quote = "";
      tools[i] = outer;
      continue;
    }
    if (isCommandEnd(c)) {
      if (quote === "") {
        outer = 0;
        outerFirst = true;
      } else {
        inner = 0;
        innerFirst = true;
      }
      continue;
    }
    if (c === " " || c === "\t" || c === '"' || c === "'") {
      tools[i] = quote === "" ? outer : inner;
      continue;
    }
    // a word: read whole, its tool noted for what follows it in the command
    let j = i;
    while (j < s.length && !isWordEnd(s[j] as string)) j++;
    const word = s.slice(i, j);
    if (quote === "") {
      outer = wordTool(word, outerFirst, outer);
      outerFirst &&= COMMAND_PREFIX.test(word);
    } else {
      inner = wordTool(word, innerFirst, inner);
      innerFirst &&= COMMAND_PREFIX.test(word);
    }
    tools.fill(quote === "" ? outer : inner, i, j);
    i = j - 1;
  }
  return tools;
}

/** A replacement that applies only where the option (its first non-space character) is in a command of `tool`. */
function inCommand(
  tools: Uint16Array,
  tool: number,
  f: (m: string, groups: unknown[]) => string,
): (m: string, ...rest: unknown[]) => string {
  return (m, ...rest) => {
    const offset = rest[rest.length - 2] as number;
    const at = offset + (m.length - m.trimStart().length);
    const bits = tools[at] as number;
    if ((bits & tool) !== tool || ((bits & ARGUMENTS) !== 0 && FLAG_CLUSTER.test(m.slice((rest[0] as string).length)))) return m;
    return f(m, rest);
  };
}

/** A short option's value that is more of its flags (`cp mysql -pr …`, `tar -C mysql -pcf …`): see ARGUMENTS. */
const FLAG_CLUSTER = /^[a-z]{1,3}$/;

/** An option's value masked, the option and the value's quotes kept (groups: the option, the value's quote). */
const maskedValue = (_m: string, g: unknown[]): string => maskedOption(g[0] as string, g[1] as string | undefined);

/**
 * Credentials given as command-line options (a VM's run command, a container's args, a script in a record): only the
 * value is masked, the option kept. The tool-specific short options only in a command that runs the tool (its first
 * word, after `sudo`, `env` or variables): `-u 1000:1000` is docker's user and group, `-b` git's branch, `-p 8080:80`
 * docker's port and `-p 2222` ssh's, also in a line that runs `az login` or installs `mysql-server` before them.
 */
function maskCommandLine(s: string): string {
  let out = s;
  if (/(?<![^\s])[-\u2013\u2014\u2015]/.test(out)) out = maskLongOptions(out);
  if (/curl/i.test(out)) {
    out = out.replace(
      CURL_USER,
      // the user kept, the password masked, their quotes kept
      inCommand(commandTools(out), CURL, maskedPair),
    );
    out = out.replace(
      CURL_COOKIE,
      inCommand(commandTools(out), CURL, (m, g) => (m.includes("=") ? maskedValue(m, g) : m)),
    );
  }
  if (out.includes("--cookie")) {
    // `--cookie` is curl's in any command (wget's, httpie's): a value with `=` is one
    out = out.replace(CURL_COOKIE, (m, opt: string, quote: string | undefined) =>
      opt.includes("--cookie") && m.includes("=") ? maskedOption(opt, quote) : m,
    );
  }
  if (/mysql|mariadb/i.test(out)) out = out.replace(MYSQL_PASSWORD, inCommand(commandTools(out), MYSQL, maskedValue));
  if (/login/i.test(out)) out = out.replace(LOGIN_PASSWORD, inCommand(commandTools(out), LOGIN, maskedValue));
  if (/sshpass/i.test(out)) out = out.replace(LOGIN_PASSWORD, inCommand(commandTools(out), SSHPASS, maskedValue));
  if (/redis-cli/i.test(out)) out = out.replace(REDIS_PASSWORD, inCommand(commandTools(out), REDIS, maskedValue));
  if (/sqlcmd|bcp/i.test(out)) out = out.replace(SQLCMD_PASSWORD, inCommand(commandTools(out), SQLCMD, maskedValue));
  if (/configure/i.test(out)) out = out.replace(AWS_CONFIGURE_SECRET, inCommand(commandTools(out), AWS, maskedValue));
  if (out.includes("pass:")) {
    out = out.replace(
      OPENSSL_PASS,
      inCommand(commandTools(out), OPENSSL, (_m, g) => {
        const [opt, quote, inner] = g as [string, string?, string?];
        if (quote !== undefined) return `${opt}${quote}pass:${REDACTED}${quote}`;
        return inner === undefined ? `${opt}pass:${REDACTED}` : `${opt}pass:${inner}${REDACTED}${inner}`;
      }),
    );
  }
  if (out.includes("--from-literal")) {
    out = out.replace(FROM_LITERAL, inCommand(commandTools(out), KUBECTL | SECRET_COMMAND, maskedPair));
  }
  if (out.includes("--value")) out = out.replace(VALUE_OPTION, inCommand(commandTools(out), VALUE_SECRET, maskedValue));
  // (`user` as a word: not every line that names a subnet or a network, each one's tools read for nothing)
  if (/\suser[ \t]/i.test(out)) out = out.replace(NET_USER, inCommand(commandTools(out), NET, maskedValue));
  if (/htpasswd/i.test(out)) out = maskHtpasswd(out);
  if (/chpasswd/i.test(out)) {
    out = maskChpasswd(out);
    if (out.includes("<<")) out = maskChpasswdInput(out);
  }
  if (/securestring/i.test(out)) out = maskSecureString(out);
  if (/\suse[ \t]/i.test(out)) out = maskToolWords(out, NET_USE, 12, (words) => oneOf(netUsePassword(words)), undefined, true);
  if (/psexec/i.test(out)) out = maskToolWords(out, PSEXEC, 24, (words) => oneOf(psexecPassword(words)), undefined, true);
  if (/openssl/i.test(out)) out = maskToolWords(out, OPENSSL_WORD, 40, opensslKeys, opensslValueAt);
  return out;
}

/** An index, or none (-1), as a list. */
const oneOf = (k: number): number[] => (k === -1 ? [] : [k]);

/** Whether a string may be JSON text: an object, an array or a string, first and last (spaces around them aside). */
function isJsonLike(s: string): boolean {
  let i = 0;
  let j = s.length - 1;
  while (i < j && (s.charCodeAt(i) <= 32 || s.charCodeAt(j) <= 32)) {
    if (s.charCodeAt(i) <= 32) i++;
    else j--;
  }
  const first = s[i];
  const last = s[j];
  return (first === "{" && last === "}") || (first === "[" && last === "]") || (first === '"' && last === '"' && i < j);
}

/** A member named as a credential header (`"Authorization"`, `"headers.cookie"`): its string value is masked, the scheme kept. */
const HEADER_KEY = new RegExp(`(?<![\\w-])(?:${HEADER_NAMES.join("|")})$`, "i");
const SCHEME_PREFIX = new RegExp(`^${AUTH_SCHEME}`, "i");
/** A member whose name ends as NAMED_SECRET's do (`"apiToken"`, `"X-Amz-Signature"`, not `"nextToken"`): its string value is masked. */
const NAMED_KEY = new RegExp(`(?:${SECRET_VALUE_NAME})$`, "i");

/**
 * JSON text held as a string (an Activity Log `requestbody`, a CloudTrail event, and JSON text in a string of those),
 * masked as a document: parsed, every string in it masked (JSON text in it the same way, to any depth), and each
 * masked value's text (a masked key's) replaced in the text, all else as written (spliceJson), so the masking never
 * breaks its syntax at any level nor changes what it does not mask (`1.50`, spaces, key order); written back whole
 * only where a key repeats or a masked key meets another of its name. What the patterns above do to such text by
 * shape, a member does by its name here (`"adminPassword": …`, `"Authorization": "Basic …"`, `"apiToken": "…"`, an AWS tag).
 * `value`: the text is a credential's value (a header's, a token's): a string it is, and the strings of an array it
 * is, are masked as that value (`"\"Basic …\""`, `["k3y"]`); an object in it is read as any JSON text.
 * The string itself when nothing is masked (its layout kept); undefined when it is no JSON text, for the patterns;
 * REDACTED, the whole string, when it is nested deeper than any real one (the patterns would break its syntax, and
 * nothing walks deeper).
 */
function maskJsonText(s: string, awsOuter: boolean, value?: (x: string, aws: boolean) => string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(s);
  } catch {
    return undefined;
  }
  if (typeof doc === "string") {
    const m = (value ?? mask)(doc, awsOuter);
    if (m === doc) return s;
    // the string's text replaced, the spaces around it kept
    const from = s.indexOf('"');
    return s.slice(0, from) + JSON.stringify(m) + s.slice(s.lastIndexOf('"') + 1);
  }
  if (doc === null || typeof doc !== "object") return undefined;
  const aws = awsOuter || AWS_KEY_ID_IN.test(s);
  /** Each container's masked values (by index or key, its key in the text) and renamed keys, spliced into `s`. */
  let edits: Map<object, Map<string | number, string>> | undefined;
  let renames: Map<object, Map<string, string>> | undefined;
  /** A masked key meets another key of its name: the document written back has one of them, the text two. */
  let rebuild = false;
  /** A value masked: in the document (written back whole where the text cannot be spliced) and for the splice. */
  const edit = (at: object, key: string | number, m: string): void => {
    (at as Record<string | number, unknown>)[key] = m;
    edits ??= new Map();
    let e = edits.get(at);
    if (e === undefined) edits.set(at, (e = new Map()));
    e.set(key, m);
  };
  let armed: Set<object> | undefined;
  let prefixes: Map<object, readonly unknown[]> | undefined;
  /** The members of the objects read: fewer than the text's where a key repeats (see memberCount). */
  let members = 0;
  const values: object[] = [doc];
  const levels: number[] = [0];
  while (values.length > 0) {
    const v = values.pop() as object;
    const level = (levels.pop() as number) + 1;
    if (level > MAX_DEPTH) return REDACTED;
    if (Array.isArray(v)) {
      const f = level === 1 && value ? value : mask;
      argvToolsFor = undefined;
      // the argv's words before the array's (argvPrefix)
      const prefix = prefixes?.get(v);
      const argv = prefix === undefined ? v : prefix.concat(v);
      const off = argv.length - v.length;
      // whether the element before is an option (most arrays have none: argvMask is asked only after one, or for one)
      let option = off > 0 && isDashArg(argv[off - 1]);
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === "string") {
          const dash = isDash(x.charCodeAt(0));
          let m = (dash || option || mayBeOperand(argv, i + off)) && argvMask(argv, i + off, x);
          if (!m) {
            // JSON text in the element walks its own arrays: this one's tools are kept for its next elements
            const toolsFor: readonly unknown[] | undefined = argvToolsFor;
            const toolsOf: Uint16Array = argvToolsOf;
            m = f(x, aws);
            argvToolsFor = toolsFor;
            argvToolsOf = toolsOf;
          }
          if (m !== x) edit(v, i, m);
          option = dash;
          continue;
        }
        if (typeof x === "number") {
          if ((option || mayBeOperand(argv, i + off)) && argvMask(argv, i + off, String(x)) !== undefined) edit(v, i, REDACTED);
        } else if (x !== null && typeof x === "object") {
          values.push(x);
          levels.push(level);
        }
        option = false;
      }
      continue;
    }
    const o = v as Record<string, unknown>;
    const pair = secretPair(o);
    const armedObj = armed?.has(o) === true;
    let entries: Array<[string, unknown]> | undefined;
    const keys = Object.keys(o);
    members += keys.length;
    for (let ki = 0; ki < keys.length; ki++) {
      const k = keys[ki] as string;
      const x = o[k];
      let m = x;
      const verdict = keyVerdict(k);
      const header = verdict === HEADER_SECRET || HEADER_KEY.test(k);
      const named = verdict === NAMED_SECRET_KEY || verdict === NAMED_SECRET_PATH;
      if (pair && k === pair.key) m = pair.value;
      else if (armedObj && isArmValueKey(k) && typeof x === "string") m = namedValueMask(x, aws);
      else if (armedObj && isArmValueKey(k) && typeof x === "number") m = REDACTED;
      else if (verdict === SECRET_KEY) {
        if (x !== null && typeof x !== "boolean" && x !== REDACTED) m = REDACTED;
        // masked whole, not walked: its members still count (a key that repeats in it is no repeat of the walk's)
        if (x !== null && typeof x === "object") members += parsedMembers(x);
      } else if (typeof x === "string") {
        if (x === "" || x === REDACTED) m = x;
        else if (header) m = headerValueMask(x, aws);
        else if (named || NAMED_KEY.test(k)) m = namedValueMask(x, aws);
        else m = mask(x, aws);
      } else if (typeof x === "number") {
        // a secret's value written as a number (`"apiKey": 123456`), masked as its string would be
        if (header || named || NAMED_KEY.test(k)) m = REDACTED;
      } else if ((header || named) && Array.isArray(x)) {
        // a header's values (`multiValueHeaders`, `set-cookie`), a token's: each one masked as the value
        if (level + 1 > MAX_DEPTH) return REDACTED;
        const f = header ? headerValueMask : namedValueMask;
        for (let i = 0; i < x.length; i++) {
          const e: unknown = x[i];
          if (typeof e === "string") {
            const em = f(e, aws);
            if (em !== e) edit(x, i, em);
          } else if (typeof e === "number") edit(x, i, REDACTED);
          else if (e !== null && typeof e === "object") {
            values.push(e);
            levels.push(level + 1);
          }
        }
      } else if (verdict === NAMED_SECRET_PATH && x !== null && typeof x === "object") {
        // a Resource Graph change of a secret (`"tags.github_token": {previousValue, newValue}`): its strings masked
        if (level + 1 > MAX_DEPTH) return REDACTED;
        const c = x as Record<string, unknown>;
        const ckeys = Object.keys(c);
        members += ckeys.length;
        for (const ck of ckeys) {
          const e = c[ck];
          if (typeof e === "string") {
            const em = namedValueMask(e, aws);
            if (em !== e) edit(c, ck, em);
          } else if (typeof e === "number") edit(c, ck, REDACTED);
          else if (e !== null && typeof e === "object") {
            values.push(e);
            levels.push(level + 1);
          }
        }
      } else if (x !== null && typeof x === "object") {
        // an ARM output or parameter of a token or a key (`"storageAccountKey": {type, value}`): its value masked
        if (verdict === NAMED_SECRET_KEY) (armed ??= new Set()).add(x);
        if (Array.isArray(x) && SCRIPT_MEMBERS.has(k)) {
          // a script's lines, one per element: read as one script first (its elements then walked as any array's)
          const lines = scriptLines(x, (t) => mask(t, aws));
          if (lines !== undefined) for (let i = 0; i < x.length; i++) if (lines[i] !== x[i]) edit(x, i, lines[i] as string);
        }
        const prefix = argvPrefix(o, k, x);
        if (prefix !== undefined) (prefixes ??= new Map()).set(x, prefix);
        values.push(x);
        levels.push(level);
      }
      if (m !== x) edit(o, k, m as string);
      const name = typeof verdict === "string" ? verdict : k;
      if (name !== k) {
        // the keys before this one, unrenamed, then this one's new name
        entries ??= keys.slice(0, ki).map((pk) => [pk, o[pk]]);
        renames ??= new Map();
        let r = renames.get(o);
        if (r === undefined) renames.set(o, (r = new Map()));
        r.set(k, name);
      }
      entries?.push([name, o[k]]);
    }
    if (entries === undefined) continue;
    // written back in order; a masked key that another key already has is the same secret's mask: the first one stays
    for (const k of keys) delete o[k];
    for (const [k, x] of entries) {
      // defined, not assigned: a `__proto__` member stays a member
      if (!Object.hasOwn(o, k)) Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
      else rebuild = true;
    }
  }
  // a key that repeats hides its earlier values from the parse (`{"a": "Password=x", "a": 1}`): the text is written
  // back without them, before any splice (the text's values then differ from the parse's, even in kind)
  const repeated = memberCount(s) !== members;
  if (edits === undefined && renames === undefined) return repeated ? JSON.stringify(doc) : s;
  return (!rebuild && !repeated && spliceJson(s, doc, edits, renames)) || JSON.stringify(doc);
}

/** How many members the objects of a parsed value hold, nested ones too. Iterative. */
function parsedMembers(v: object): number {
  let n = 0;
  const stack: object[] = [v];
  while (stack.length > 0) {
    const c = stack.pop() as Record<string, unknown>;
    const keys = Object.keys(c);
    if (!Array.isArray(c)) n += keys.length;
    for (const k of keys) {
      const x = c[k];
      if (x !== null && typeof x === "object") stack.push(x);
    }
  }
  return n;
}

/**
 * How many members JSON text has: its strings that a colon follows (spaces between), each a key. More than its parse
 * has where a key repeats in an object. Linear: only its quotes are visited (its unescaped ones open and close its
 * strings in turn), each one's backslashes before it and spaces after it read once.
 */
function memberCount(s: string): number {
  let n = 0;
  let open = false;
  for (let q = s.indexOf('"'); q !== -1; q = s.indexOf('"', q + 1)) {
    let b = q - 1;
    while (b >= 0 && s.charCodeAt(b) === 92) b--;
    // an odd run of backslashes escapes it
    if ((q - b) % 2 === 0) continue;
    open = !open;
    if (open) continue;
    let c = q + 1;
    while (c < s.length && s.charCodeAt(c) <= 32) c++;
    if (s.charCodeAt(c) === 58) n++;
  }
  return n;
}

/**
 * `s`, JSON text whose parse is `doc`, with each masked value's text (`edits`, by container and index or key) and
 * each renamed key's (`renames`) replaced by its JSON text: all else as it was, byte for byte (numbers as written,
 * spaces, key order, escapes). One pass, each character read once. Undefined where the text is not what the parse
 * says (a key that repeats, a value of another kind than the parse's, text that ends early): the caller writes the
 * document back whole. Every scan stops at the text's end, and each step moves on: it never loops.
 */
function spliceJson(
  s: string,
  doc: object,
  edits: Map<object, Map<string | number, string>> | undefined,
  renames: Map<object, Map<string, string>> | undefined,
): string | undefined {
  try {
    return splice(s, doc, edits, renames);
  } catch (e) {
    if (e === MISMATCH || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** Thrown where the text and its parse disagree (spliceJson's caller then writes the document back whole). */
const MISMATCH = new Error("JSON text and its parse disagree");

/** The first character a value of this kind has in JSON text (`{`, `[`, `"`, a number's `-` or digit, `t`, `f`, `n`). */
function startsAs(x: unknown, c: number): boolean {
  if (x === null) return c === 110;
  switch (typeof x) {
    case "object":
      return c === (Array.isArray(x) ? 91 : 123);
    case "string":
      return c === 34;
    case "number":
      return c === 45 || (c >= 48 && c <= 57);
    case "boolean":
      return c === (x ? 116 : 102);
    default:
      return false;
  }
}

function splice(
  s: string,
  doc: object,
  edits: Map<object, Map<string | number, string>> | undefined,
  renames: Map<object, Map<string, string>> | undefined,
): string {
  interface Frame {
    /** the container's parse */
    c: Record<string | number, unknown>;
    /** an object's keys read (an array's: undefined) */
    seen: Set<string> | undefined;
    /** an array's next index */
    next: number;
    e: Map<string | number, string> | undefined;
    r: Map<string, string> | undefined;
  }
  const n = s.length;
  let out = "";
  let done = 0;
  let i = 0;
  const space = (): void => {
    while (i < n && s.charCodeAt(i) <= 32) i++;
  };
  /** The end of the string whose quote is at `p`. */
  const stringEnd = (p: number): number => {
    if (s.charCodeAt(p) !== 34) throw MISMATCH;
    for (let q = p + 1; q < n; ) {
      const c = s.charCodeAt(q);
      if (c === 34) return q + 1;
      q += c === 92 ? 2 : 1;
    }
    throw MISMATCH;
  };
  /** The end of the value that starts at `p` (past it: at least one character). */
  const valueEnd = (p: number): number => {
    let q = p;
    const c = s.charCodeAt(q);
    if (c === 34) return stringEnd(q);
    if (c === 123 || c === 91) {
      for (let depth = 0; q < n; ) {
        const d = s.charCodeAt(q);
        if (d === 34) {
          q = stringEnd(q);
          continue;
        }
        if (d === 123 || d === 91) depth++;
        else if ((d === 125 || d === 93) && --depth === 0) return q + 1;
        q++;
      }
      throw MISMATCH;
    }
    while (q < n) {
      const d = s.charCodeAt(q);
      if (d === 44 || d === 93 || d === 125 || d === 58 || d === 34 || d <= 32) break;
      q++;
    }
    if (q === p) throw MISMATCH;
    return q;
  };
  const stack: Frame[] = [];
  /** the parse of the value that starts at `i` */
  let current: unknown = doc;
  space();
  for (;;) {
    if (i >= n || !startsAs(current, s.charCodeAt(i))) throw MISMATCH;
    if (current !== null && typeof current === "object") {
      stack.push({
        c: current as Record<string | number, unknown>,
        seen: Array.isArray(current) ? undefined : new Set(),
        next: 0,
        e: edits?.get(current),
        r: renames?.get(current),
      });
      i++;
    } else i = valueEnd(i);
    // the next member of the innermost open container, past those masked whole; the ends of containers
    for (;;) {
      const f = stack[stack.length - 1];
      if (f === undefined) return out + s.slice(done);
      space();
      if (s.charCodeAt(i) === 44) {
        i++;
        space();
      }
      if (i >= n) throw MISMATCH;
      const c = s.charCodeAt(i);
      if (c === 125 || c === 93) {
        // the container's end: its kind, and all its members read
        if (f.seen === undefined ? c !== 93 || f.next !== (f.c as unknown as unknown[]).length : c !== 125) throw MISMATCH;
        i++;
        stack.pop();
        continue;
      }
      let key: string | number;
      let at: string | number;
      if (f.seen !== undefined) {
        const from = i;
        i = stringEnd(i);
        const raw = s.slice(from + 1, i - 1);
        key = raw.includes("\\") ? (JSON.parse(s.slice(from, i)) as string) : raw;
        if (f.seen.has(key)) throw MISMATCH;
        f.seen.add(key);
        const to = f.r?.get(key);
        if (to !== undefined) {
          out += s.slice(done, from) + JSON.stringify(to);
          done = i;
        }
        at = to ?? key;
        if (!Object.hasOwn(f.c, at)) throw MISMATCH;
        space();
        // the colon
        if (s.charCodeAt(i) !== 58) throw MISMATCH;
        i++;
        space();
      } else {
        key = f.next++;
        at = key;
        if (key >= (f.c as unknown as unknown[]).length) throw MISMATCH;
      }
      if (i >= n) throw MISMATCH;
      const m = f.e?.get(key);
      if (m === undefined) {
        current = f.c[at];
        break;
      }
      const end = valueEnd(i);
      out += s.slice(done, i) + JSON.stringify(m);
      done = end;
      i = end;
    }
  }
}

/** What a property name says: its value is a secret (removed), or the name itself, masked (the same string when clean). */
const SECRET_KEY = Symbol("secret key");
/** A property named as a credential header (`Authorization`, `Cookie`, `x-api-key`): a string value is masked, its scheme kept. */
const HEADER_SECRET = Symbol("credential header");
/**
 * A property whose name ends as NAMED_SECRET's names do (`apiToken`, `GITHUB_TOKEN`, `API_KEY`; not `NextToken`,
 * `$skipToken`, `continuationToken`, `pageToken`): its string value, each string of an array it holds, is masked.
 */
const NAMED_SECRET_KEY = Symbol("named secret");
/**
 * The same as a dotted property path (Resource Graph's change keys: `tags.github_token`, `properties.apiKey`), its last
 * part so named: the value is the change, `{previousValue, newValue}`, whose strings are masked too.
 */
const NAMED_SECRET_PATH = Symbol("named secret path");
type KeyVerdict = typeof SECRET_KEY | typeof HEADER_SECRET | typeof NAMED_SECRET_KEY | typeof NAMED_SECRET_PATH | string;

/** Keys seen, with their verdict (a document repeats a few hundred keys millions of times: one look-up each); bounded. */
const keyVerdicts = new Map<string, KeyVerdict>();

/**
 * Whether a property of this name carries a secret (any case): a dotted property path (Resource Graph's change keys:
 * `properties.osProfile.adminPassword`) carries one when any of its parts names one; a credential header's name; a
 * name that ends as a token's or a key's (NAMED_SECRET_KEY; a dotted path by its last part, NAMED_SECRET_PATH). If
 * not, the name with any secret in it masked, as a string would be (a tag or a map keyed by a connection string, a
 * URL with its password).
 */
function keyVerdict(k: string): KeyVerdict {
  let verdict = keyVerdicts.get(k);
  if (verdict === undefined) {
    const lower = k.toLowerCase();
    const secret =
      SECRET_KEYS.has(lower) || SECRET_NAME.test(lower) || (lower.includes(".") && lower.split(".").some((part) => SECRET_KEYS.has(part)));
    const masked = secret ? k : maskSecretsInString(k);
    // `k` itself when clean: the caller's `verdict !== k` is then one pointer comparison
    verdict = secret
      ? SECRET_KEY
      : HEADER_KEY.test(lower)
        ? HEADER_SECRET
        : masked !== k
          ? masked
          : NAMED_KEY.test(lower)
            ? lower.includes(".")
              ? NAMED_SECRET_PATH
              : NAMED_SECRET_KEY
            : k;
    if (keyVerdicts.size < 4096) keyVerdicts.set(k, verdict);
  }
  return verdict;
}

/**
 * The members of a name/value pair: an AWS tag (`{Key, Value}`, `{key, value}` as CloudTrail writes it), a setting or
 * environment variable (`{name, value}`: App Service app settings, a container's env), a header (`{headerName,
 * headerValue}`: Application Gateway rewrite rules; `{headerName, value}`: Front Door rule actions).
 */
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  ["Key", "Value"],
  // CloudTrail's record of a request (`CreateTags`' tagSet.items, `ModifyTargetGroupAttributes`' attributes)
  ["key", "value"],
  ["name", "value"],
  ["headerName", "headerValue"],
  ["headerName", "value"],
];

/**
 * A name/value pair whose name names a secret (`aws_secret_access_key`, `DB_PASSWORD`), ends as NAMED_SECRET's names do
 * (`API_KEY`, `GITHUB_TOKEN`: masked as `API_KEY=…` is) or names a credential header (`Authorization`): the value
 * member and its mask (a number's too: REDACTED); undefined for any other object (most have no such pair). A boolean
 * or null value stays: it holds no secret, and says what a diagnosis may need (`{name: "REQUIRE_PASSWORD", value: true}`).
 */
function secretPair(o: Record<string, unknown>): { key: string; value: string } | undefined {
  // most objects have none of the value members: three named reads, not a loop of keyed ones (a snapshot has ~300,000)
  if (o.value === undefined && o.Value === undefined && o.headerValue === undefined) return undefined;
  for (const [n, v] of PAIRS) {
    const name = o[n];
    if (typeof name !== "string") continue;
    const x = o[v];
    if (typeof x === "number") {
      // a secret written as a number (`{name: "DB_PASSWORD", value: 1234}`): masked as its string would be
      const verdict = keyVerdict(name);
      if (verdict === SECRET_KEY || verdict === HEADER_SECRET || NAMED_KEY.test(name)) return { key: v, value: REDACTED };
      continue;
    }
    if (typeof x !== "string" || x === "" || x === REDACTED) continue;
    const verdict = keyVerdict(name);
    if (verdict === SECRET_KEY) return { key: v, value: REDACTED };
    if (verdict === HEADER_SECRET) {
      const m = headerValueMask(x);
      return m === x ? undefined : { key: v, value: m };
    }
    if (NAMED_KEY.test(name)) return { key: v, value: REDACTED };
  }
  return undefined;
}

/**
 * A credential header's value: its scheme kept, the rest masked. JSON text in it is masked as such, the header's
 * value that it holds too (a JSON string, `"\"Basic …\""`, or an array's strings, `["k3y"]`: each masked as the
 * header's value, its syntax kept); an object in it is read as any JSON text (an `authorization` member written as a
 * string: `"{\"action\": …}"`).
 */
function headerValueMask(x: string, aws = false): string {
  if (x === "" || x === REDACTED) return x;
  const inner = isJsonLike(x) ? maskJsonText(x, aws, headerValueMask) : undefined;
  return inner ?? `${SCHEME_PREFIX.exec(x)?.[0] ?? ""}${REDACTED}`;
}

/** The value of a member NAMED_KEY names (`"apiToken"`): masked whole; JSON text in it as headerValueMask's is. */
function namedValueMask(x: string, aws = false): string {
  if (x === "" || x === REDACTED) return x;
  const inner = isJsonLike(x) ? maskJsonText(x, aws, namedValueMask) : undefined;
  return inner ?? REDACTED;
}

/**
 * An argv array's element that is a secret-named option without its value (`["--password", "x"]`, a container's
 * `args`, a command split into words; PowerShell's `["-Password", "x"]`): the element after it is its value, masked
 * whole. LONG_OPTION's names and exclusions (`--password-file`, `--no-password`, `--secret-id` take none), PS_SECRET's.
 */
function isSecretOptionArg(x: unknown): boolean {
  if (typeof x !== "string" || x.length > 64 || !isDash(x.charCodeAt(0))) return false;
  if (x.charCodeAt(0) !== 45 || x.charCodeAt(1) !== 45) return x.length > 2 && OPTION_NAME.test(x.slice(1)) && PS_SECRET.test(x);
  const name = x.slice(2);
  return OPTION_NAME.test(name) && LONG_SECRET.test(name) && !LONG_NOT_SECRET.test(name);
}
const OPTION_NAME = /^[a-z0-9][a-z0-9_-]*$/i;
/** A parameter's dash: `-`, or as PowerShell also takes it an en dash, an em dash or a horizontal bar. */
const isDash = (c: number): boolean => c === 45 || c === 0x2013 || c === 0x2014 || c === 0x2015;
/** A PowerShell parameter's boolean value (`-RequirePassword true`, `$false`): a setting, no secret. */
const PS_BOOLEAN = /^\$?(?:true|false)$/i;
/** An element that may be an option's value: not empty, not masked already, not another option (LONG_VALUE's `(?!-)`). */
const isOptionValueArg = (x: string): boolean => x !== "" && x !== REDACTED && x.charCodeAt(0) !== 45;

/** The command line's tool-specific credential options, for an argv's words: the tools whose option each pattern finds. */
const TOOL_OPTIONS: ReadonlyArray<readonly [number, RegExp]> = [
  [MYSQL, MYSQL_PASSWORD],
  [LOGIN, LOGIN_PASSWORD],
  [SSHPASS, LOGIN_PASSWORD],
  [REDIS, REDIS_PASSWORD],
  [SQLCMD, SQLCMD_PASSWORD],
  [CURL, CURL_USER],
  [CURL, CURL_COOKIE],
  [OPENSSL, OPENSSL_PASS],
  [KUBECTL | SECRET_COMMAND, FROM_LITERAL],
  [VALUE_SECRET, VALUE_OPTION],
];
/**
 * The command line's credentials given as operands, for an argv's words: the tools (all of them), how many words
 * before the credential the pattern reads (`configure set NAME`, `user NAME`, `-b FILE USER`, `-nb USER`), the pattern.
 */
const TOOL_OPERANDS: ReadonlyArray<readonly [number, number, RegExp]> = [
  [AWS, 3, AWS_CONFIGURE_SECRET],
  [NET, 2, NET_USER],
];
/** A word an argv's operand credential may follow (TOOL_OPERANDS'): not a command line's word of its own. */
const ARGV_WORD = /^[^\s"']{1,256}$/;

/**
 * Whether an argv's element (at `i`) may be one of TOOL_OPERANDS' credentials or htpasswd's password: the word two
 * before it is `set` or `user` (any case), or an option is among the three words before the two before it (htpasswd's
 * last option, `-b`, `-nb`, or `-C COST` written apart, comes before FILE USER PASSWORD or USER PASSWORD), or the word
 * before it is PsExec's switch `/p` or a word net use's password follows. A cheap test (most arrays' elements fail it:
 * a list of protocols or ciphers reads no tools): argvMask then reads the words and their tools.
 */
function mayBeOperand(v: readonly unknown[], i: number): boolean {
  if (i < 2) return false;
  const w = v[i - 2];
  if (typeof w !== "string") return false;
  if (w.charCodeAt(0) === 45 || isDashArg(v[i - 3]) || (i >= 4 && isDashArg(v[i - 4]))) return true;
  if ((w.length === 3 || w.length === 4) && OPERAND_TRIGGER.test(w)) return true;
  const p = v[i - 1];
  if (typeof p !== "string") return false;
  // PsExec's `/p PASSWORD`
  if (p === "/p" || p === "/P") return true;
  // net use's password: after its share (`\\srv\share`), a switch (`/user:u`), a user's name after `/user`, or a
  // device (`Z:`, `*`, with `/home`), in a `net use` command
  const c = p.charCodeAt(0);
  const after = c === 92 || c === 47 || w.charCodeAt(0) === 47 || (p.length === 2 && p.charCodeAt(1) === 58) || p === "*";
  return after && argvNetUse(v, i) !== -1;
}
/** The word two before TOOL_OPERANDS' credential: `configure set NAME VALUE`, `net user NAME PASSWORD`. */
const OPERAND_TRIGGER = /^(?:set|user)$/i;

/**
 * An argv's word as a command line's word for TOOL_OPERANDS' patterns: itself, or in double quotes when it holds
 * spaces (`["net", "user", "John Smith", "pw"]` is `net user "John Smith" pw`); "" when no command line's word can
 * write it so (a quote, a backslash, a line break in it).
 */
function operandWord(w: unknown): string {
  if (typeof w !== "string") return "";
  if (ARGV_WORD.test(w)) return w;
  return ARGV_SPACED_WORD.test(w) ? `"${w}"` : "";
}
const ARGV_SPACED_WORD = /^[^"'\\\r\n]{1,256}$/;

/**
 * An argv's element masked as TOOL_OPERANDS' credential (the words before it, as a command line's, and the element
 * match the pattern, in a command of its tool) or as htpasswd's password (htpasswdPassword), or undefined. `bits`: the
 * tools of the word before it.
 */
function operandMask(v: readonly unknown[], i: number, x: string, bits: number): string | undefined {
  if ((bits & HTPASSWD) !== 0) {
    // htpasswd's words, from its name (at most 16 back) to this one
    for (let k = i - 1; k >= 0 && k >= i - 16; k--) {
      const w = v[k];
      if (typeof w !== "string" || !isHtpasswd(w)) continue;
      const words = v.slice(k + 1, i).map((e) => (typeof e === "string" ? e : String(e)));
      words.push(x);
      if (htpasswdPassword(words) === words.length - 1) return REDACTED;
      break;
    }
  }
  for (const [tool, back, re] of TOOL_OPERANDS) {
    if ((bits & tool) !== tool || i < back) continue;
    let line = " ";
    for (let j = i - back; j < i && line !== ""; j++) {
      const w = operandWord(v[j]);
      line = w === "" ? "" : `${line}${w} `;
    }
    if (line === "") continue;
    re.lastIndex = 0;
    const m = re.exec(`${line}${x}`);
    if (m === null || m.index !== 0 || (m[1] as string).length !== line.length) continue;
    if ((bits & ARGUMENTS) !== 0 && FLAG_CLUSTER.test(x)) continue;
    return REDACTED;
  }
  return undefined;
}

/**
 * The tools each element of an argv array is an argument of, as commandTools reads a command line's words (an element
 * is one word; see wordTool).
 */
function argvTools(v: readonly unknown[]): Uint16Array {
  const tools = new Uint16Array(v.length);
  let seen = 0;
  let first = true;
  for (let i = 0; i < v.length; i++) {
    const w = v[i];
    if (typeof w !== "string") continue;
    if (w === "&&" || w === "||" || w === ";" || w === "|") {
      seen = 0;
      first = true;
      continue;
    }
    seen = wordTool(w, first, seen);
    first &&= COMMAND_PREFIX.test(w);
    tools[i] = seen;
  }
  return tools;
}

/**
 * The array whose argvTools `argvToolsOf` holds: computed when an element first needs them (most arrays never do),
 * kept for its next elements; each walk forgets them before it reads an array, and an array's walk keeps them across
 * the walks that its elements' JSON text makes (saved and restored: linear time, however many arrays those hold).
 */
let argvToolsFor: readonly unknown[] | undefined;
let argvToolsOf: Uint16Array = new Uint16Array(0);

/**
 * An argv array's element `x` (at `i`, a string or a number's text) masked as a secret option's value, or undefined
 * (then read as any string): after a secret-named option (isSecretOptionArg), after a tool's credential option in a
 * command of that tool (`["docker", "login", "-p", "x"]`, `["sqlcmd", "-P", "x"]`, `["redis-cli", "-a", "x"]`, curl's
 * `["-u", "user:pw"]`: the user kept, and `["-b", "sid=x"]`; openssl's `["-passin", "pass:x"]`, `pass:` kept; kubectl's
 * `["--from-literal=k=x"]`, the key kept; `--value` in `az keyvault secret set` and `aws ssm put-parameter`), or
 * attached to it (`["mysql", "-pX"]`, `["sshpass", "-pX", "ssh", …]`), or a tool's operand (TOOL_OPERANDS: `["aws",
 * "configure", "set", "aws_secret_access_key", "x"]`, `["net", "user", "bob", "x"]`, `["htpasswd", "-b", "f", "bob",
 * "x"]`). The command line's patterns decide, on the words as a line: mysql's `-p` takes no separate value (`["mysql",
 * "-p", "db"]` names the database, as `mysql -p db` does).
 */
function argvMask(v: readonly unknown[], i: number, x: string): string | undefined {
  const prev = i > 0 ? v[i - 1] : undefined;
  const afterOption = typeof prev === "string" && isDash(prev.charCodeAt(0)) && isOptionValueArg(x);
  if (afterOption && isSecretOptionArg(prev) && !(prev.charCodeAt(1) !== 45 && PS_BOOLEAN.test(x))) return REDACTED;
  const attached = x.charCodeAt(0) === 45 && x.length > 2 && x.length <= 4096;
  const operand = !afterOption && !attached && isOptionValueArg(x) && mayBeOperand(v, i);
  if (!(afterOption && prev.length <= 64) && !attached && !operand) return undefined;
  if ((afterOption || operand) && argvToolWord(v, i, afterOption, operand)) return REDACTED;
  if (attached && OPENSSL_KEY_ATTACHED.test(x)) {
    // openssl enc's `-k=PASSWORD`, `-K=KEY`: the option kept
    const k = argvToolBefore(v, i, 40, "le", (n) => n === "openssl");
    if (k !== -1 && opensslKeys(argvWords(v, k + 1, i + 1)).includes(i - k - 1)) return `${x.slice(0, x.indexOf("=") + 1)}${REDACTED}`;
  }
  if (argvToolsFor !== v) {
    argvToolsOf = argvTools(v);
    argvToolsFor = v;
  }
  // an option's (an operand's) tools: the value's own word (`["docker", "-p", "login"]`) adds none
  const bits = argvToolsOf[afterOption || operand ? i - 1 : i] as number;
  if (bits === 0) return undefined;
  if (operand) return operandMask(v, i, x, bits);
  for (const [tool, re] of TOOL_OPTIONS) {
    if ((bits & tool) !== tool) continue;
    // the option and its value as a command line's words: ` -p x` (separate), ` -pX` (attached)
    const opt = afterOption ? ` ${prev} ` : " ";
    re.lastIndex = 0;
    const m = re.exec(`${opt}${x}`);
    if (m === null || m.index !== 0) continue;
    const at = (m[1] as string).length - opt.length;
    if (afterOption ? at !== 0 : at <= 0) continue;
    const value = x.slice(at);
    // a cookie file's name (no `=`) is no cookie; `["cp", "mysql", "-pr", …]` copies
    if ((re === CURL_COOKIE && !value.includes("=")) || ((bits & ARGUMENTS) !== 0 && FLAG_CLUSTER.test(value))) continue;
    // curl's `user:password`, openssl's `pass:password`: the user, `pass:` kept; kubectl's `key=value`: the key kept
    const kept = re === CURL_USER || re === OPENSSL_PASS ? value.indexOf(":") + 1 : re === FROM_LITERAL ? value.indexOf("=") + 1 : 0;
    return x.slice(0, at) + value.slice(0, kept) + REDACTED;
  }
  return undefined;
}

/** Whether an argv's element is an option (`-p`, `--password`). */
const isDashArg = (x: unknown): boolean => typeof x === "string" && x.charCodeAt(0) === 45;

/**
 * A container spec that splits its argv in two arrays, the command in one and its arguments in the other: Kubernetes'
 * `{command, args}`, ECS's `{entryPoint, command}`, Docker's `{Entrypoint, Cmd}` (an image's or a container's config)
 * and CloudFormation's ECS `{EntryPoint, Command}`. The arguments' array (`x`, the member `k` of `o`) is read as the
 * rest of the argv that the other array starts (`{"command": ["mysql"], "args": ["-pX"]}`); undefined for any other
 * member (most are neither).
 */
function argvPrefix(o: Record<string, unknown>, k: string, x: object): readonly unknown[] | undefined {
  let p: unknown;
  if (k === "args") p = o.command;
  else if (k === "command") p = o.entryPoint;
  else if (k === "Cmd") p = o.Entrypoint;
  else if (k === "Command") p = o.EntryPoint;
  else return undefined;
  return Array.isArray(p) && p.length > 0 && Array.isArray(x) ? p : undefined;
}

/**
 * The members that hold a script, as an array of its lines (Azure's run command input, `{"script": ["…", "…"]}`; AWS
 * Systems Manager's `{"commands": […]}`).
 */
const SCRIPT_MEMBERS = new Set(["script", "scripts", "commands", "Script", "Scripts", "Commands"]);

/**
 * A script's lines, one per element, masked as the script they make (joined by line breaks: a here-document's body, a
 * YAML value below its key, a line a command continues on), each element its line (a mask that spans lines keeps
 * their breaks: redactedLines); an element that is no string is an empty line of it, and stays. Undefined where
 * nothing is masked so, where an element holds a line break, or where the masked script still has other lines than
 * the elements: each element is then masked alone, as any array's.
 */
function scriptLines(x: readonly unknown[], f: (s: string) => string): unknown[] | undefined {
  if (x.length < 2) return undefined;
  for (const e of x) if (typeof e === "string" && e.includes("\n")) return undefined;
  const parts = x.map((e) => (typeof e === "string" ? e : ""));
  const joined = parts.join("\n");
  let m: string;
  scriptJoin = true;
  try {
    m = f(joined);
  } finally {
    scriptJoin = false;
  }
  if (m === joined) return undefined;
  const lines = m.split("\n");
  if (lines.length !== x.length) return undefined;
  return x.map((e, i) => (typeof e === "string" ? lines[i] : e));
}

/** The member of an ARM output or parameter (`{type, value}`) that holds its value. */
const isArmValueKey = (k: string): boolean => k === "value" || k === "Value";

/** What `scanDocument` found: whether the document is nested too deep, and its secrets, to strip later. */
export interface DocumentScan {
  /** some object or array sits `maxDepth` or more levels down (the root is level 0) */
  tooDeep: boolean;
  /** strips the secrets found, in place; returns how many values it removed, masked or renamed */
  strip(): number;
}

/**
 * One walk over a document just parsed, for the two checks every value needs (a snapshot file holds millions):
 * its depth (see util/depth.ts: nothing recursive may meet a document deeper than any real one) and its secrets,
 * recorded rather than removed so that the document is validated as it was read. Iterative.
 */
export function scanDocument(doc: unknown, maxDepth: number): DocumentScan {
  const masks: Array<{ at: Record<string, unknown> | unknown[]; key: string | number; value: string }> = [];
  const deletes: Array<{ at: Record<string, unknown>; key: string }> = [];
  const renames: Array<{ at: Record<string, unknown>; key: string; to: string }> = [];
  const strip = (): number => {
    for (const m of masks) (m.at as Record<string | number, unknown>)[m.key] = m.value;
    for (const d of deletes) delete d.at[d.key];
    for (const r of renames) rename(r.at, r.key, r.to);
    return masks.length + deletes.length + renames.length;
  };
  if (doc === null || typeof doc !== "object") return { tooDeep: false, strip };
  // two parallel stacks (a value, its level): no object per value visited
  const values: object[] = [doc];
  const levels: number[] = [0];
  let armed: Set<object> | undefined;
  let prefixes: Map<object, readonly unknown[]> | undefined;
  /** Each string of a credential's container (at `level`) masked by `fn`, what else it holds walked as any value; false: too deep. */
  const maskEach = (c: Record<string, unknown> | unknown[], fn: (x: string) => string, level: number): boolean => {
    if (level >= maxDepth) return false;
    const items = c as Record<string, unknown>;
    for (const ck of Object.keys(items)) {
      const e = items[ck];
      if (typeof e === "string") {
        const m = fn(e);
        if (m !== e) masks.push({ at: items, key: ck, value: m });
      } else if (typeof e === "number") masks.push({ at: items, key: ck, value: REDACTED });
      else if (e !== null && typeof e === "object") {
        if (level + 1 >= maxDepth) return false;
        values.push(e);
        levels.push(level + 1);
      }
    }
    return true;
  };
  while (values.length > 0) {
    const v = values.pop() as object;
    const level = (levels.pop() as number) + 1;
    if (Array.isArray(v)) {
      // an argv's elements: apart (scanArray), so that this loop stays small enough to be optimized early
      if (!scanArray(v, level, maxDepth, masks, values, levels, prefixes?.get(v))) return { tooDeep: true, strip };
      continue;
    }
    const o = v as Record<string, unknown>;
    const pair = secretPair(o);
    const armedObj = armed?.has(o) === true;
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (pair && k === pair.key) {
        masks.push({ at: o, key: k, value: pair.value });
        continue;
      }
      if (armedObj && isArmValueKey(k) && (typeof x === "string" || typeof x === "number")) {
        const m = typeof x === "number" ? REDACTED : namedValueMask(x);
        if (m !== x) masks.push({ at: o, key: k, value: m });
        continue;
      }
      const verdict = keyVerdict(k);
      if (verdict === SECRET_KEY) {
        // a boolean is no secret (`UseExistingClientSecret: true`, `adminPasswordOrKey: true`): kept, as in JSON text
        if (typeof x === "boolean") continue;
        deletes.push({ at: o, key: k });
        // removed whole: only its depth matters
        if (
          x !== null &&
          typeof x === "object" &&
          maxDepth !== Number.POSITIVE_INFINITY &&
          (level >= maxDepth || findTooDeep(x, maxDepth - level) !== undefined)
        ) {
          return { tooDeep: true, strip };
        }
        continue;
      }
      if (verdict === HEADER_SECRET) {
        if (typeof x === "string" || typeof x === "number") {
          // a number is masked as a string is (`"x-api-key": 123456`): REDACTED, no scheme to keep
          const m = typeof x === "number" ? REDACTED : headerValueMask(x);
          if (m !== x) masks.push({ at: o, key: k, value: m });
          continue;
        }
        if (Array.isArray(x)) {
          // a header's values (`multiValueHeaders`, `set-cookie`): each one masked as the header's value
          if (!maskEach(x, headerValueMask, level)) return { tooDeep: true, strip };
          continue;
        }
        // anything else (an Activity Log's `authorization`: {action, scope}) is read as any value
      } else if (verdict === NAMED_SECRET_KEY || verdict === NAMED_SECRET_PATH) {
        if (typeof x === "string" || typeof x === "number") {
          const m = typeof x === "number" ? REDACTED : namedValueMask(x);
          if (m !== x) masks.push({ at: o, key: k, value: m });
          continue;
        }
        if (Array.isArray(x) || (verdict === NAMED_SECRET_PATH && x !== null && typeof x === "object")) {
          // a token's values, or a Resource Graph change of it (`{previousValue, newValue}`): each string masked
          if (!maskEach(x as Record<string, unknown>, namedValueMask, level)) return { tooDeep: true, strip };
          continue;
        }
        // an ARM output or parameter of a token or a key (`"storageAccountKey": {type, value}`): its value masked
        if (verdict === NAMED_SECRET_KEY && x !== null && typeof x === "object") (armed ??= new Set()).add(x);
      } else if (typeof verdict === "string" && verdict !== k) renames.push({ at: o, key: k, to: verdict });
      if (typeof x === "string") {
        const m = maskSecretsInString(x);
        if (m !== x) masks.push({ at: o, key: k, value: m });
      } else if (x !== null && typeof x === "object") {
        if (level >= maxDepth) return { tooDeep: true, strip };
        if (Array.isArray(x) && SCRIPT_MEMBERS.has(k)) {
          // a script's lines, one per element: read as one script, then each line as an array's element
          const lines = scriptLines(x, maskSecretsInString);
          if (lines !== undefined) {
            const own: Array<{ at: Record<string, unknown> | unknown[]; key: string | number; value: string }> = [];
            scanArray(lines, level, maxDepth, own, values, levels, undefined);
            for (const m of own) lines[m.key as number] = m.value;
            for (let i = 0; i < x.length; i++) if (lines[i] !== x[i]) masks.push({ at: x, key: i, value: lines[i] as string });
            continue;
          }
        }
        const prefix = argvPrefix(o, k, x);
        if (prefix !== undefined) (prefixes ??= new Map()).set(x, prefix);
        values.push(x);
        levels.push(level);
      }
    }
  }
  return { tooDeep: false, strip };
}

/**
 * scanDocument's walk of an array (at `level`): its strings masked (an argv's secret option's value too; see argvMask),
 * its objects and arrays pushed on the walk's stacks. False: one of them is `maxDepth` or more levels down. `prefix`:
 * the argv's words before the array's (argvPrefix).
 */
function scanArray(
  v: unknown[],
  level: number,
  maxDepth: number,
  masks: Array<{ at: Record<string, unknown> | unknown[]; key: string | number; value: string }>,
  values: object[],
  levels: number[],
  prefix: readonly unknown[] | undefined,
): boolean {
  argvToolsFor = undefined;
  const argv = prefix === undefined ? v : prefix.concat(v);
  const off = argv.length - v.length;
  // whether the element before is an option (most arrays have none: argvMask is asked only after one, or for one)
  let option = off > 0 && isDashArg(argv[off - 1]);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x === "string") {
      const dash = isDash(x.charCodeAt(0));
      let m = (dash || option || mayBeOperand(argv, i + off)) && argvMask(argv, i + off, x);
      if (!m) {
        // JSON text in the element walks its own arrays: this one's tools are kept for its next elements
        const toolsFor: readonly unknown[] | undefined = argvToolsFor;
        const toolsOf: Uint16Array = argvToolsOf;
        m = maskSecretsInString(x);
        argvToolsFor = toolsFor;
        argvToolsOf = toolsOf;
      }
      if (m !== x) masks.push({ at: v, key: i, value: m });
      option = dash;
      continue;
    }
    if (typeof x === "number") {
      // a secret option's value written as a number (`["--password", 1234]`, `["net", "user", "bob", 1234]`)
      if ((option || mayBeOperand(argv, i + off)) && argvMask(argv, i + off, String(x)) !== undefined) {
        masks.push({ at: v, key: i, value: REDACTED });
      }
    } else if (x !== null && typeof x === "object") {
      if (level >= maxDepth) return false;
      values.push(x);
      levels.push(level);
    }
    option = false;
  }
  return true;
}

/**
 * Removes secret-bearing fields and masks secret-looking strings, in place: a scan with no depth limit, stripped at
 * once (one walker for both, so a snapshot file and a live collection lose the same values). Returns the number of
 * values removed, masked or renamed. Iterative, so a deeply nested document cannot overflow the stack.
 */
export function stripSecrets(value: unknown): number {
  return scanDocument(value, Number.POSITIVE_INFINITY).strip();
}

/** Moves a property to its masked name (a value already there under that name is kept: it is the same secret's mask). */
function rename(o: Record<string, unknown>, from: string, to: string): void {
  if (!Object.hasOwn(o, from)) return;
  if (!Object.hasOwn(o, to)) o[to] = o[from];
  delete o[from];
}
