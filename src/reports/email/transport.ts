/**
 * The SMTP side: a nodemailer transport built from `reports.email`, and the translation of its
 * failures into coded errors a plant engineer can act on (535 is a wrong user or password, not
 * "the server is down"). The password goes to nodemailer only, never into a log or an error.
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { LinesideConfig } from '../../config/schema.js';
import { errorMessage, LinesideError, type ErrorCode } from '../../lib/errors.js';

export type EmailConfig = LinesideConfig['reports']['email'];

export interface OutgoingMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly pdf: Buffer;
}

/** Sends one mail; rejects with a coded LinesideError. */
export type SendMail = (mail: OutgoingMail) => Promise<void>;

export function smtpTransport(config: EmailConfig): SendMail {
  const port = config.port ?? (config.secure ? 465 : 587);
  const transport = nodemailer.createTransport({
    host: config.host,
    port,
    secure: config.secure,
    requireTLS: config.requireTLS,
    ...(config.username !== undefined ? { auth: { user: config.username, pass: config.password ?? '' } } : {}),
    tls: {
      rejectUnauthorized: config.rejectUnauthorized,
      ...(config.ca !== undefined ? { ca: readFileSync(config.ca) } : {}),
    },
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  const where = `smtp://${config.host ?? '?'}:${port}`;
  return async (mail) => {
    try {
      await transport.sendMail({
        from: mail.from,
        to: [...mail.to],
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: [{ filename: 'report.pdf', content: mail.pdf, contentType: 'application/pdf' }],
      });
    } catch (err) {
      throw smtpError(err, where);
    }
  };
}

/** nodemailer's error (code EAUTH, ECONNECTION, ETLS, EENVELOPE... and the SMTP responseCode) as ours. */
export function smtpError(err: unknown, where: string): LinesideError {
  const e = err as { code?: string; responseCode?: number };
  const rc = e.responseCode;
  let code: ErrorCode = 'EMAIL_FAILED';
  let what = 'sending failed';
  if (e.code === 'EAUTH' || rc === 535 || rc === 534) {
    code = 'EMAIL_AUTH';
    what = 'the SMTP server refused the username or password';
  } else if (e.code === 'ETLS' || e.code === 'ESTARTTLS' || isCertificateError(err)) {
    code = 'EMAIL_TLS';
    what = 'TLS with the SMTP server failed';
  } else if (e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'ETIMEDOUT' || e.code === 'EDNS') {
    code = 'EMAIL_CONNECT';
    what = 'cannot reach the SMTP server';
  } else if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE' || (rc !== undefined && rc >= 500)) {
    code = 'EMAIL_REJECTED';
    what = 'the SMTP server rejected the message';
  }
  return new LinesideError(
    code,
    `${what} (${where}): ${errorMessage(err)}`,
    { server: where, ...(rc !== undefined ? { responseCode: rc } : {}) },
    { cause: err },
  );
}

/**
 * An untrusted or mismatched server certificate reaches nodemailer as a socket error (ESOCKET)
 * carrying Node's TLS code (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID,
 * ...): it is a TLS problem to fix in `ca` or the relay, not an unreachable server.
 */
function isCertificateError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const text = `${e.message ?? ''} ${e.cause?.code ?? ''}`;
  return /CERT|certificate|SSL|ERR_TLS/i.test(text);
}

/** A 5xx rejection of the message itself will not pass on a retry; everything else may. */
export function isRetryable(err: LinesideError): boolean {
  return err.code !== 'EMAIL_REJECTED';
}
