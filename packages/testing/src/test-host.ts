import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

function sh(args: string[]): void {
  execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A test host: a network namespace joined to this machine by a veth pair, with loopback-range
 * addresses on both ends (route_localnet lets 127/8 travel over the veth). Taking the host-side end
 * down partitions the host without closing its TCP connections, as a pulled cable would.
 */
export class TestHost {
  private constructor(
    readonly namespace: string,
    private readonly hostIf: string,
    /** This machine's address as seen from the test host. */
    readonly gatewayAddress: string,
    readonly hostAddress: string,
  ) {}

  /** Creates the namespace, or returns why it cannot be created here (not root, no iproute2, ...). */
  static create(): TestHost | { unavailable: string } {
    const id = randomInt(10, 250);
    const ns = `sweeplab-${process.pid}-${id}`;
    const hostIf = `slh${id}p${process.pid % 1000}`;
    const nsIf = `sln${id}p${process.pid % 1000}`;
    const gateway = `127.201.${id}.1`;
    const address = `127.201.${id}.2`;
    try {
      sh(['ip', 'netns', 'add', ns]);
    } catch (err) {
      return {
        unavailable: `cannot create a network namespace (${String((err as Error).message).split('\n')[0]})`,
      };
    }
    const host = new TestHost(ns, hostIf, gateway, address);
    try {
      sh(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
      sh(['ip', 'link', 'set', nsIf, 'netns', ns]);
      sh(['ip', 'addr', 'add', `${gateway}/30`, 'dev', hostIf]);
      sh(['sysctl', '-qw', `net.ipv4.conf.${hostIf}.route_localnet=1`]);
      sh(['ip', 'link', 'set', hostIf, 'up']);
      const inNs = ['ip', 'netns', 'exec', ns];
      sh([...inNs, 'ip', 'addr', 'add', `${address}/30`, 'dev', nsIf]);
      sh([...inNs, 'sysctl', '-qw', 'net.ipv4.conf.all.route_localnet=1']);
      sh([...inNs, 'sysctl', '-qw', `net.ipv4.conf.${nsIf}.route_localnet=1`]);
      sh([...inNs, 'ip', 'link', 'set', nsIf, 'up']);
      sh([...inNs, 'ip', 'link', 'set', 'lo', 'up']);
    } catch (err) {
      host.destroy();
      return {
        unavailable: `cannot wire the namespace with veth (${String((err as Error).message).split('\n')[0]})`,
      };
    }
    return host;
  }

  /** Prefix for a command that must run on the test host. */
  get wrap(): string[] {
    return ['ip', 'netns', 'exec', this.namespace];
  }

  cut(): void {
    sh(['ip', 'link', 'set', this.hostIf, 'down']);
  }

  restore(): void {
    sh(['ip', 'link', 'set', this.hostIf, 'up']);
  }

  destroy(): void {
    try {
      sh(['ip', 'link', 'del', this.hostIf]);
    } catch {
      // already gone with the namespace
    }
    try {
      sh(['ip', 'netns', 'del', this.namespace]);
    } catch {
      // already gone
    }
  }
}
