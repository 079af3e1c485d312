/**
 * The log lines of a device's comms transitions (poller.ts): one line per transition, naming the
 * device's unit, endpoint and cause; an exception fault names its requests and codes, and the
 * recovery from it names the request and code logged when comms were lost.
 */
import type { Logger } from '../../lib/logger.js';
import type { CommsTransition, ExceptionAnswer, PollVerdict } from './comms-rule.js';
import { EXCEPTION_NAMES } from './errors.js';

/** The request and code named in the "comms lost" log of an exception fault, for the recovery log. */
export interface LoggedFault {
  readonly read: string;
  readonly exceptionCode: number;
}

/** Logs one transition; returns the fault to name when comms come back (undefined after an "up"). */
export function logCommsTransition(
  logger: Logger,
  where: { readonly unitId: number; readonly endpoint: string },
  transition: CommsTransition,
  verdict: PollVerdict,
  lastLoggedFault: LoggedFault | undefined,
): LoggedFault | undefined {
  if (transition.kind === 'up') {
    if (transition.after === 'exceptions') {
      const fault = lastLoggedFault;
      logger.info(
        { ...where, ...(fault ?? {}), pollsWithoutData: transition.pollsWithoutData },
        `modbus: device answering with data again after ${transition.pollsWithoutData} polls without data; comms restored`,
      );
    } else if (transition.after === 'no-answer') {
      logger.info({ ...where, pollsWithoutData: transition.pollsWithoutData }, 'modbus: device answering again');
    }
    return undefined;
  }
  const { error } = transition;
  if (transition.cause === 'exceptions' && verdict.kind === 'exceptions') {
    const codes = [...new Set(verdict.answers.map((a) => a.exceptionCode))];
    const codeText = `${codes.length === 1 ? 'exception' : 'exceptions'} ${codes.map((c) => `${c} (${EXCEPTION_NAMES[c] ?? 'unknown exception'})`).join(', ')}`;
    const last = verdict.answers[verdict.answers.length - 1] as ExceptionAnswer;
    logger.warn(
      {
        ...where,
        reads: verdict.answers.map((a) => `${a.read}: exception ${a.exceptionCode}`),
        exceptionCodes: codes,
        polls: transition.polls,
        err: error.toString(),
      },
      `modbus: device answered only with ${codeText} for ${transition.polls} polls; comms lost`,
    );
    return { read: last.read, exceptionCode: last.exceptionCode };
  }
  logger.warn({ ...where, err: error.toString() }, 'modbus: device comms lost');
  return lastLoggedFault;
}
