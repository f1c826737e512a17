import {
  countProposal,
  createRun,
  createSweepSearch,
  endSweepSearch,
  getSweep,
  getSweepSearch,
  listActiveSweepSearches,
  programRunHistories,
  type RunHistory,
  recordEarlyStop,
  recordStopTold,
  sweepRunHistories,
  sweepsWithRunningRuns,
} from '@sweeplab/db';
import { isProgramSweep, type RunEvent, runParamsSchema, SweepConfig, sweepMetric } from '@sweeplab/shared';
import type { ApiContext } from '../api-context.ts';
import { newId } from '../ids.ts';
import { type ProgramPlan, programPlan } from '../program-params.ts';
import { listWorkers } from '../worker-registry.ts';
import type { Observation } from './bayes-search.ts';
import { decideEarlyStops } from './early-stop-rules.ts';
import { proposeRun, type SearchPlan, searchPlan } from './search-plan.ts';
import { encodeParams, type Point } from './search-space.ts';

type ControllerContext = Pick<ApiContext, 'db' | 'queue' | 'redis' | 'keys' | 'config' | 'logger'>;

/** Observations for the search: each ended run's value, lower is better. */
export function observationsOf(
  plan: Pick<SearchPlan, 'goal' | 'space'>,
  runs: readonly RunHistory[],
): Observation[] {
  const flip = (v: number) => (plan.goal === 'maximize' ? 0 - v : v);
  const withPoint = runs
    .map((run) => ({ run, point: encodeParams(plan.space, run.params) }))
    .filter((r): r is { run: RunHistory; point: Point } => r.point !== null);
  const observed: Observation[] = [];
  for (const { run, point } of withPoint) {
    const h = run.history.filter(Number.isFinite).map(flip);
    // Completed: its best value; stopped early: its last value (what it had reached, not a failure).
    if (run.status === 'completed' && h.length > 0) observed.push({ point, value: Math.min(...h) });
    else if (run.status === 'stopped' && h.length > 0) observed.push({ point, value: h.at(-1) as number });
  }
  // Failed: the worst value seen, so the search stays away. Cancelled runs say nothing: left out.
  const worst = observed.length > 0 ? Math.max(...observed.map((o) => o.value)) : null;
  if (worst !== null) {
    for (const { run, point } of withPoint)
      if (run.status === 'failed') observed.push({ point, value: worst });
  }
  return observed;
}

/**
 * The sweep controller, in the API: judges running runs against the sweep's `early_terminate` rule the
 * moment their epoch rows are committed (a run that must stop is marked `stopped` and told through the
 * cancel path), and proposes the runs of bayes and open-ended random sweeps one at a time, keeping at
 * most `max_concurrent` queued or running. All of its state is in SQLite, so a restarted API carries on.
 * Work is serialised on one promise chain: decisions never interleave.
 */
export class SweepController {
  private chain: Promise<void> = Promise.resolve();
  private readonly plans = new Map<string, SearchPlan | ProgramPlan | null>();
  private timer: NodeJS.Timeout | undefined;
  /** Epoch-row-committed → worker-told latencies (ms) of this process's stops, for the benchmark. */
  readonly stopLatenciesMs: number[] = [];

  constructor(private readonly ctx: ControllerContext) {}

  /** The ingester's call after each committed batch. */
  onEventsCommitted(events: readonly RunEvent[], committedAt = Date.now()): void {
    const epochRuns = new Set<string>();
    const endedRuns = new Set<string>();
    for (const e of events) {
      if (e.type === 'epoch') epochRuns.add(e.run_id);
      else if (e.type !== 'started') endedRuns.add(e.run_id);
    }
    if (epochRuns.size === 0 && endedRuns.size === 0) return;
    this.enqueue(async () => {
      const judge = this.sweepsOf([...epochRuns]);
      for (const sweepId of judge) await this.judge(sweepId, committedAt);
      for (const sweepId of new Set([...judge, ...this.sweepsOf([...endedRuns])])) await this.topUp(sweepId);
    });
  }

  /** Starts an incremental sweep (its row exists, with no runs yet). */
  startSearch(sweepId: string): Promise<void> {
    createSweepSearch(this.ctx.db, sweepId);
    return this.enqueue(() => this.topUp(sweepId));
  }

  /** DELETE /v1/sweeps/:id: no further proposals. */
  stopSearch(sweepId: string): void {
    endSweepSearch(this.ctx.db, sweepId, 'stopped', 'cancelled (DELETE /v1/sweeps/:id)');
  }

  /** Re-judges and tops up every active search now and every `everyMs` (worker slots come and go). */
  start(everyMs = 2000): void {
    const tick = () =>
      this.enqueue(async () => {
        // After a restart, runs whose last epochs landed while no API was judging are judged here.
        for (const sweepId of sweepsWithRunningRuns(this.ctx.db)) await this.judge(sweepId, Date.now());
        for (const sweepId of listActiveSweepSearches(this.ctx.db)) await this.topUp(sweepId);
      });
    void tick();
    this.timer = setInterval(() => void tick(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.chain;
  }

  /** Resolves once the work queued so far is done (tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work).catch((err: unknown) => {
      this.ctx.logger.error({ err }, 'sweep controller step failed');
    });
    return this.chain;
  }

  private sweepsOf(runIds: readonly string[]): Set<string> {
    const sweeps = new Set<string>();
    if (runIds.length === 0) return sweeps;
    const rows = this.ctx.db.$client
      .prepare(`SELECT DISTINCT sweep_id FROM runs WHERE id IN (${runIds.map(() => '?').join(',')})`)
      .all(...runIds) as { sweep_id: string | null }[];
    for (const r of rows) if (r.sweep_id !== null) sweeps.add(r.sweep_id);
    return sweeps;
  }

  /**
   * The sweep's plan, built once. A config that no longer parses or resolves (stored by an older
   * version) has none; its search, if active, is stopped with the reason.
   */
  private plan(sweepId: string): SearchPlan | ProgramPlan | null {
    if (this.plans.has(sweepId)) return this.plans.get(sweepId) ?? null;
    const sweep = getSweep(this.ctx.db, sweepId);
    const parsed = sweep ? SweepConfig.safeParse(sweep.config) : null;
    let plan: SearchPlan | ProgramPlan | null = null;
    if (parsed?.success && isProgramSweep(parsed.data)) {
      plan = programPlan(parsed.data);
    } else if (parsed?.success) {
      try {
        plan = searchPlan(parsed.data);
      } catch (err) {
        this.stopWithReason(sweepId, `its parameters cannot make runs: ${(err as Error).message}`, err);
      }
    } else if (sweep) {
      this.stopWithReason(sweepId, 'its stored config is no longer a valid sweep config', parsed?.error);
    }
    this.plans.set(sweepId, plan);
    return plan;
  }

  /** Ends an active search for a reason other than its cap, recorded for GET /v1/sweeps/:id and logged. */
  private stopWithReason(sweepId: string, reason: string, err?: unknown): void {
    if (endSweepSearch(this.ctx.db, sweepId, 'stopped', reason)) {
      this.ctx.logger.error({ sweepId, err, reason }, 'sweep search stopped');
    }
  }

  private async judge(sweepId: string, committedAt: number): Promise<void> {
    const plan = this.plan(sweepId);
    const rule = plan?.config.early_terminate;
    if (!plan || !rule) return;
    const runs =
      'programMetric' in plan
        ? programRunHistories(this.ctx.db, sweepId, plan.programMetric)
        : sweepRunHistories(this.ctx.db, sweepId, plan.metric);
    const stops = decideEarlyStops(rule, runs, plan.goal, plan.config.sampler_seed ?? 0);
    const stopped = stops.filter((s) =>
      recordEarlyStop(this.ctx.db, {
        runId: s.id,
        sweepId,
        rule: s.rule,
        band: s.band,
        bracket: s.bracket,
        epoch: s.epoch,
        value: s.value,
        threshold: s.threshold,
        comparedRunIds: s.compared,
        committedAt,
      }),
    );
    if (stopped.length === 0) return;
    await this.ctx.queue.cancel(stopped.map((s) => s.id));
    const toldAt = Date.now();
    for (const s of stopped) {
      recordStopTold(this.ctx.db, s.id, committedAt, toldAt);
      this.stopLatenciesMs.push(toldAt - committedAt);
      this.ctx.logger.info(
        {
          runId: s.id,
          sweepId,
          rule: s.rule,
          band: s.band,
          bracket: s.bracket,
          value: s.value,
          threshold: s.threshold,
          compared: s.compared.length,
          latencyMs: toldAt - committedAt,
        },
        `run stopped early by ${s.rule}`,
      );
    }
  }

  private async liveSlots(): Promise<number> {
    const workers = await listWorkers(this.ctx.redis, this.ctx.keys);
    return workers.reduce((n, w) => n + w.slots.length, 0);
  }

  private async topUp(sweepId: string): Promise<void> {
    const search = getSweepSearch(this.ctx.db, sweepId);
    const plan = this.plan(sweepId);
    // A program sweep is expanded when submitted: it has no search to top up.
    if (search?.status !== 'active' || !plan || 'programMetric' in plan) return;
    const runs = sweepRunHistories(this.ctx.db, sweepId, plan.metric);
    const inFlight = runs.filter((r) => r.status === 'queued' || r.status === 'running');
    const cap = Math.min(plan.config.run_cap ?? Number.POSITIVE_INFINITY, this.ctx.config.MAX_RUNS_PER_SWEEP);
    if (search.runs_proposed >= cap) {
      // run_cap is what the user asked for; MAX_RUNS_PER_SWEEP is the deployment's limit: say so.
      const reason =
        plan.config.run_cap !== undefined && plan.config.run_cap <= this.ctx.config.MAX_RUNS_PER_SWEEP
          ? null
          : `reached MAX_RUNS_PER_SWEEP (${this.ctx.config.MAX_RUNS_PER_SWEEP})`;
      if (inFlight.length === 0 && endSweepSearch(this.ctx.db, sweepId, 'finished', reason)) {
        this.ctx.logger.info({ sweepId, runs: search.runs_proposed, reason }, 'sweep search finished');
      }
      return;
    }
    const limit = plan.config.max_concurrent ?? Math.max(1, await this.liveSlots());
    let wanted = limit - inFlight.length;
    wanted = Math.min(wanted, cap - search.runs_proposed);
    if (wanted <= 0) return;

    const observations = observationsOf(plan, runs);
    const pending = inFlight
      .map((r) => encodeParams(plan.space, r.params))
      .filter((p): p is Point => p !== null);
    const schema = runParamsSchema({ maxEpochs: this.ctx.config.MAX_EPOCHS });
    for (let i = 0; i < wanted; i++) {
      const index = search.runs_proposed + i;
      let proposal: ReturnType<typeof proposeRun>;
      try {
        proposal = proposeRun(plan, observations, pending, index, schema);
      } catch (err) {
        // The creation check ran the first proposals; a later one can still fail (a sample outside a
        // parameter's limits, MAX_EPOCHS lowered since): the search stops and says why.
        this.stopWithReason(
          sweepId,
          `proposal ${index + 1} is not a valid run: ${(err as Error).message}`,
          err,
        );
        return;
      }
      const { params, point } = proposal;
      const runId = newId('run');
      const counted = this.ctx.db.$client
        .transaction(() => {
          // Another API process (or a DELETE) got there first: write nothing, propose nothing more.
          if (!countProposal(this.ctx.db, sweepId, index)) return false;
          createRun(this.ctx.db, { id: runId, params, sweepId });
          return true;
        })
        .immediate();
      if (!counted) return;
      const metric = sweepMetric(plan.config);
      await this.ctx.queue.enqueue([
        { run_id: runId, sweep_id: sweepId, params, ...(metric ? { metric } : {}) },
      ]);
      pending.push(point);
      this.ctx.logger.info(
        { sweepId, runId, proposal: index + 1, method: plan.config.method },
        'run proposed',
      );
    }
  }
}
