import { execFile } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  skopeo: string;
  registry: string;
}

async function versionOf(cmd: string, args: string[]): Promise<string> {
  try {
    return (await exec(cmd, args)).stdout.trim();
  } catch {
    return 'unknown';
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    skopeo: await versionOf('skopeo', ['--version']),
    registry: await versionOf('docker-registry', ['--version']),
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, ${m.skopeo}, ${m.registry}`;
}
