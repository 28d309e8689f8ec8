
/** Whether a note may be added now: open, reopenable (resolved recently) or closed for good. */
export type NoteState = 'open' | 'reopens' | 'closed';

/** A resolved ticket reopens by a note within `reopenDays` (calendar days) of its resolution. */
export function noteState(t: { status: string; resolvedAt: Date | null; updatedAt: Date }, now: Date, reopenDays: number): NoteState {
  if (t.status !== 'RESOLVED') return 'open';
  const resolvedAt = t.resolvedAt ?? t.updatedAt;
  return now.getTime() - resolvedAt.getTime() <= reopenDays * 86_400_000 ? 'reopens' : 'closed';
}
