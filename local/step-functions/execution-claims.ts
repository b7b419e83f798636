/** Claims: which engine (process and instance) runs an execution, and whether that engine still runs. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isThisProcess, type ProcessIdentity, processRunning, thisProcess } from '../../lib/process-identity';
import { removeStaleFile } from '../../lib/stale-file';
import { claimsDir, readExecution } from '../../lib/workflow/local';

/** Instances of this process that are open (an execution claimed by a closed one is no longer running). */
export const openInstances = new Set<string>();

export function claimPath(lakeDir: string, machine: string, name: string): string {
  return path.join(claimsDir(lakeDir, machine), name);
}

/** Who claimed an execution: a process (pid, start time, boot) and the engine instance in it. */
export interface ClaimOwner extends ProcessIdentity {
  instance: string;
}

/** The owner of a claim, if that engine is still running. */
export async function liveClaim(
  lakeDir: string,
  machine: string,
  name: string,
): Promise<ClaimOwner | 'dead' | undefined> {
  return (await readClaim(lakeDir, machine, name))?.owner;
}

async function readClaim(
  lakeDir: string,
  machine: string,
  name: string,
): Promise<{ text: string; owner: ClaimOwner | 'dead' } | undefined> {
  let text: string;
  try {
    text = await fs.readFile(claimPath(lakeDir, machine, name), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let owner: ClaimOwner;
  try {
    owner = JSON.parse(text) as ClaimOwner;
  } catch {
    return { text, owner: 'dead' }; // torn claim: its writer died while writing it
  }
  // A process, not a pid: a lake restarted in a container has the pid of the one that died (lib/process-identity.ts).
  const alive = isThisProcess(owner) ? openInstances.has(owner.instance) : processRunning(owner);
  return { text, owner: alive ? owner : 'dead' };
}

/**
 * Removes the claim of an engine that is gone, if it still is: true for one caller only of those that judged it at
 * once (other lakes on the folder), the one to run the execution again (or claim it).
 */
export async function takeDeadClaim(lakeDir: string, machine: string, name: string): Promise<boolean> {
  const claim = await readClaim(lakeDir, machine, name);
  if (claim?.owner !== 'dead') return false;
  return removeStaleFile(claimPath(lakeDir, machine, name), claim.text);
}

/**
 * Claims an execution for the engine `instance` of this process: false when a live engine holds it, or when one that
 * is gone had started it.
 */
export async function claimExecution(
  lakeDir: string,
  machine: string,
  name: string,
  instance: string,
): Promise<boolean> {
  const data = JSON.stringify({ ...thisProcess(), instance } satisfies ClaimOwner);
  for (let i = 0; i < 2; i++) {
    try {
      await fs.writeFile(claimPath(lakeDir, machine, name), data, { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if ((await liveClaim(lakeDir, machine, name)) !== 'dead') return false;
      // Left by a process that is gone before it started the run (executionsToResume() handles started ones).
      const r = await readExecution(lakeDir, machine, name);
      if (r?.runStartDate) return false;
      await takeDeadClaim(lakeDir, machine, name); // else another engine took it: the exclusive write decides
    }
  }
  return false;
}
