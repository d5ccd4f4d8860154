// Row types of per-project policies: a project's own target allow-list and caps, which narrow
// the installation's (the controller intersects them).

/** A project's own target allow-list and caps; null caps and an empty list inherit the installation's. */
export interface ProjectPolicy {
  projectId: string;
  /** Entries "host", "host:port" or "loopback"; empty: the installation's list alone applies. */
  allowTargets: string[];
  /** Most generators per run, or null. */
  maxGenerators: number | null;
  /** Longest run, ms, or null. */
  maxDurationMs: number | null;
  /** Highest arrival rate, requests (iterations) per second, or null. */
  maxRatePerSec: number | null;
  updatedBy: string;
  updatedAtMs: number;
}

/** Input of `setProjectPolicy`: the whole policy (it replaces the stored one). */
export type NewProjectPolicy = Omit<ProjectPolicy, 'updatedAtMs'>;
