// `--only`: which scenarios a run measures, by the start of their ids (`guardians` selects
// `guardians.direct` and `guardians.edge`). A phase whose scenarios are all left out is skipped whole, with
// its set-up (the baselines, the tracing restarts, the start-up variants, the statement seeding).

export function selects(only: string[] | undefined, id: string): boolean {
  return only === undefined || only.some((prefix) => id.startsWith(prefix));
}

/** Does any of these scenario ids run? */
export function selectsAny(only: string[] | undefined, ids: string[]): boolean {
  return ids.some((id) => selects(only, id));
}
