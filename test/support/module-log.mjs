// Loaded with `node --import`: appends the URL of every module the process loads to the file named by
// LBDOCTOR_MODULE_LOG (test/startup.test.ts checks what a command loads). Plain JavaScript, so that it
// loads before type stripping matters.
import { appendFileSync } from "node:fs";
import { registerHooks } from "node:module";

const out = process.env.LBDOCTOR_MODULE_LOG;
if (out) {
  registerHooks({
    load(url, context, next) {
      appendFileSync(out, `${url}\n`);
      return next(url, context);
    },
  });
}
