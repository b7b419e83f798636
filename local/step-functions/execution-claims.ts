/** Claims: which engine (process and instance) runs an execution, and whether that engine still runs. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isThisProcess, type ProcessIdentity, processRunning, thisProcess } from '../../lib/process-identity';
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
  let owner: ClaimOwner;
  try {
    owner = JSON.parse(await fs.readFile(claimPath(lakeDir, machine, name), 'utf8')) as ClaimOwner;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'dead'; // torn claim: its writer died while writing it
  }
  // A process, not a pid: a lake restarted in a container has the pid of the one that died (lib/process-identity.ts).
  const alive = isThisProcess(owner) ? openInstances.has(owner.instance) : processRunning(owner);
  return alive ? owner : 'dead';
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
      await fs.rm(claimPath(lakeDir, machine, name), { force: true });
    }
  }
  return false;
}
