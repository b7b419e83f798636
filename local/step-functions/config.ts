/** The service configuration, as far as state machines are concerned. */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ServiceConfig } from '../service-config';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface StateMachineConfig {
  id?: string;
  name?: string;
  type?: string;
  definition: StateMachineDefinition;
  events?: { schedule?: string | { rate: string; enabled?: boolean; input?: unknown } }[];
}

export type ServiceConfigWithStateMachines = ServiceConfig & {
  provider: ServiceConfig['provider'] & { region?: string };
  stepFunctions?: { stateMachines?: Record<string, StateMachineConfig> };
  resources?: { Resources?: Record<string, CfnResource> } | { Resources?: Record<string, CfnResource> }[];
};

/** Every CloudFormation resource the configuration declares (resources: may be an object or a list of them). */
export function declaredResources(config: ServiceConfigWithStateMachines): Record<string, CfnResource> {
  const parts = Array.isArray(config.resources)
    ? config.resources
    : config.resources
      ? [config.resources]
      : [];
  return Object.assign({}, ...parts.map((p) => p?.Resources ?? {})) as Record<string, CfnResource>;
}
