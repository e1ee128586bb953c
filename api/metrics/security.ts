/**
 * Security view: SASL failures by client and user, TLS share of smtpd sessions, postscreen
 * verdicts, rate-limit hits. One search, all from events.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { EsClient } from '../../core/elasticsearch.js';
import type { SecurityResponse } from '../schemas/security.js';
import { COUNTED } from './counting.js';
import { type Aggs, num, type SearchRequest, search } from './es.js';
import { eventsIndex, F } from './fields.js';
import { eventScope, type Filters } from './filters.js';
import { isoString, type TimeRange } from './range.js';
import { readCountRows, topTerms } from './reasons.js';

type Query = estypes.QueryDslQueryContainer;
const is = (field: string, value: string): Query => ({ term: { [field]: value } });
const both = (...q: Query[]): Query => ({ bool: { filter: q } });

const SASL_FAILURE = is(F.action, 'sasl_failure');
const SMTPD_CONNECT = both(is(F.action, 'connect'), is(F.process, 'smtpd'));
const SMTPD_TLS = both(is(F.action, 'tls_established'), is(F.process, 'smtpd'));
const POSTSCREEN_CONNECT = both(is(F.action, 'connect'), is(F.process, 'postscreen'));
const POSTSCREEN_VERDICT = is(F.action, 'postscreen');
const POSTSCREEN_REJECT = both(COUNTED.rejected, is(F.process, 'postscreen'));
const RATE_LIMIT = is(F.reasonCategory, 'rate_limit');

export function securityQuery(
  prefix: string,
  range: TimeRange,
  filters: Filters,
  limit: number,
): SearchRequest {
  return {
    index: eventsIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: {
      bool: {
        filter: [eventScope(range, filters)],
        should: [
          SASL_FAILURE,
          SMTPD_CONNECT,
          SMTPD_TLS,
          POSTSCREEN_CONNECT,
          POSTSCREEN_VERDICT,
          POSTSCREEN_REJECT,
          RATE_LIMIT,
        ],
        minimum_should_match: 1,
      },
    },
    aggs: {
      sasl: {
        filter: SASL_FAILURE,
        aggs: {
          by_ip: topTerms(F.clientIp, limit),
          by_user: topTerms(F.user, limit),
          ips: { cardinality: { field: F.clientIp, precision_threshold: 40_000 } },
        },
      },
      smtpd_connect: { filter: SMTPD_CONNECT },
      smtpd_tls: { filter: SMTPD_TLS, aggs: { versions: topTerms(F.tlsVersion, 10) } },
      postscreen_connect: { filter: POSTSCREEN_CONNECT },
      postscreen_verdicts: {
        filter: POSTSCREEN_VERDICT,
        aggs: { verdicts: topTerms(F.postscreenVerdict, 30) },
      },
      postscreen_reject: { filter: POSTSCREEN_REJECT },
      rate: { filter: RATE_LIMIT, aggs: { by_ip: topTerms(F.clientIp, limit) } },
    },
  };
}

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.min(1, part / whole);
}

export function shapeSecurity(aggs: Aggs | undefined, range: TimeRange): SecurityResponse {
  const connections = num(aggs, 'smtpd_connect', 'doc_count');
  const tls = num(aggs, 'smtpd_tls', 'doc_count');
  const tlsShare = share(tls, connections);
  return {
    period: { from: isoString(range.from), to: isoString(range.to) },
    sasl_failures: {
      total: num(aggs, 'sasl', 'doc_count'),
      by_client_ip: readCountRows(aggs?.sasl, 'by_ip'),
      by_user: readCountRows(aggs?.sasl, 'by_user'),
      distinct_client_ips: num(aggs, 'sasl', 'ips', 'value'),
    },
    tls: {
      smtpd_connections: connections,
      smtpd_tls: tls,
      tls_share: tlsShare,
      plaintext_share: tlsShare === null ? null : 1 - tlsShare,
      versions: readCountRows(aggs?.smtpd_tls, 'versions'),
    },
    postscreen: {
      connections: num(aggs, 'postscreen_connect', 'doc_count'),
      verdicts: readCountRows(aggs?.postscreen_verdicts, 'verdicts'),
      rejected: num(aggs, 'postscreen_reject', 'doc_count'),
    },
    rate_limits: {
      total: num(aggs, 'rate', 'doc_count'),
      by_client_ip: readCountRows(aggs?.rate, 'by_ip'),
    },
  };
}

export async function security(
  client: EsClient,
  prefix: string,
  range: TimeRange,
  filters: Filters,
  limit = 20,
): Promise<SecurityResponse> {
  const res = await search(client, securityQuery(prefix, range, filters, limit));
  return shapeSecurity(res.aggregations as Aggs | undefined, range);
}
