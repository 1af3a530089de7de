import {
  type AddToPrincipalPolicyResult,
  ManagedPolicy,
  type PolicyStatement,
  Role,
  type RoleProps,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * A role whose grants land in one customer-managed policy attached to it, instead of the inline
 * DefaultPolicy CDK creates (HIPAA.Security-IAMNoInlinePolicy). Grants still go through the usual
 * `grant*()` / `addToPrincipalPolicy()` calls; the policy is a child of the role, so anything that
 * depends on the role also waits for its permissions.
 */
export class ManagedPolicyRole extends Role {
  public readonly permissions: ManagedPolicy;

  constructor(scope: Construct, id: string, props: RoleProps) {
    super(scope, id, props);
    this.permissions = new ManagedPolicy(this, 'Permissions', {
      description: props.description,
      roles: [this],
    });
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    this.permissions.addStatements(statement);
    return { statementAdded: true, policyDependable: this.permissions };
  }
}
