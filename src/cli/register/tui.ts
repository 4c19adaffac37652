import { addAwsOptions, addLiveOptions, type Register } from "../shared.ts";

export const register: Register = (program, io, setExit) => {
  const tui = program
    .command("tui")
    .description(
      "Explore a diagnosis interactively in the terminal: collection progress, load balancers, members and why each is up or down, " +
        "findings with copyable fixes, flow traces; --watch follows probe health live.",
    )
    .argument(
      "[target]",
      "live: the resource group to collect (AWS: load balancer names, or none for the region); with --snapshot, a group or load balancer that narrows the view",
    )
    .option("-s, --snapshot <file>", "read this lbdoctor.snapshot/v1 file instead of collecting live")
    .option("--watch <interval>", "live: re-poll rule health every interval (5s, 1500ms, 1m) and show each member's transitions")
    .option("--no-color", "no colours (NO_COLOR is honoured too)");
  addLiveOptions(tui);
  addAwsOptions(tui);
  tui.action(async (target: string | undefined, opts) => {
    const { runTuiCommand } = await import("../../commands/tui.ts");
    setExit(await runTuiCommand(target, opts, io));
  });
};
