/**
 * The check behind aws/target-sg-blocks-health-check, in the provider's folder so that aws/targets-unhealthy can read the same
 * results as the cause of a target's health (see causes.ts). A rule never runs another rule.
 */
import type { RuleContext } from "../../../core/engine/types.ts";
import type { CauseCheck } from "../causes.ts";
import type { AwsModel } from "../model.ts";
import { checkTargetSecurityGroups } from "../target-sg.ts";

export const messages = {
  noTargets: "The targets of target group {{targetGroup}} (load balancer {{lb}}) are not known: {{reason}}.",
  blocked:
    "Health checks of target group {{targetGroup}} ({{protocol}} port {{port}}) from load balancer {{lb}} cannot reach {{target}}: its security groups {{groups}} allow nothing from {{sources}}{{nearMiss}}. Target health: {{health}}.",
  allowed: "Health checks of target group {{targetGroup}} (TCP port {{port}}) from load balancer {{lb}} reach {{target}}: {{basis}}.",
  undecidable:
    "Cannot decide whether health checks of target group {{targetGroup}} (TCP port {{port}}) from load balancer {{lb}} reach {{target}}: {{reason}}.",
  disabled: "Health checks are disabled on target group {{targetGroup}}, so there is nothing to allow on {{target}}.",
  noGroups: "Target {{target}} of target group {{targetGroup}} is a {{kind}} target: it has no security groups of its own.",
};

export function check(ctx: RuleContext<AwsModel>): void {
  checkTargetSecurityGroups(ctx, { purpose: "health-check" });
}

export const targetSgBlocksHealthCheckCause: CauseCheck = { ruleId: "aws/target-sg-blocks-health-check", messages, check };
