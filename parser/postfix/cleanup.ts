/**
 * cleanup(8): message-id, resent-message-id, header/body checks and milter decisions.
 */
import type { MailEvent } from '../../core/event.js';
import { detail, email } from './fields.js';
import { decisionAt, parseDecision } from './reject.js';

export function parseCleanup(event: MailEvent, s: string): boolean {
  if (s.startsWith('message-id=')) {
    event.event.action = 'message_id';
    const id = s.slice(11).trim();
    if (id !== '') email(event).message_id = id;
    return true;
  }
  if (s.startsWith('resent-message-id=')) {
    event.event.action = 'resent_message_id';
    detail(event, 'resent_message_id', s.slice(18).trim());
    return true;
  }
  const decision = decisionAt(s, 0);
  if (decision !== undefined) return parseDecision(event, decision.action, decision.word, s, decision.rest);
  return false;
}
