/**
 * Server-sent event frames (WHATWG HTML §9.2). Data is one JSON line, so it
 * can never contain the blank line that ends a frame.
 */
export function sseEvent(frame: { id?: string; event: string; data: unknown }): string {
  const lines = [];
  if (frame.id !== undefined) lines.push(`id: ${frame.id.replace(/[\r\n]/g, '')}`);
  lines.push(`event: ${frame.event.replace(/[\r\n]/g, '')}`);
  lines.push(`data: ${JSON.stringify(frame.data)}`);
  return `${lines.join('\n')}\n\n`;
}

/** A comment line: ignored by clients, but it keeps the connection (and every proxy on the way) busy. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]/g, ' ')}\n\n`;
}
