// Settings → Team database (issue 31): the words and checks of the section, kept apart from the
// DOM so node tests read them. The password typed is sent once and never shown again: the
// section only ever learns whether one is saved.

import { SAY } from './words.js';

/** The form's fields as the shell's login, or the first problem in words. */
export function teamLoginFromForm({ host, port, database, person }) {
  const login = {
    host: String(host ?? '').trim(),
    port: null,
    database: String(database ?? '').trim(),
    person: String(person ?? '').trim(),
  };
  if (!login.host) return { login: null, error: 'Type the server’s name or address.' };
  const portText = String(port ?? '').trim();
  if (portText) {
    const n = Number(portText);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      return { login: null, error: 'The port is a whole number from 1 to 65535; leave it empty for the usual one.' };
    }
    login.port = n;
  }
  if (!login.database) return { login: null, error: 'Type the name of the team’s database.' };
  if (!login.person) return { login: null, error: 'Type the name you sign in with.' };
  return { login, error: null };
}

/** The values the form starts with: the saved login, and never a password. */
export function teamFormValues(view) {
  const l = view?.login ?? {};
  return {
    host: l.host ?? '',
    port: l.port == null ? '' : String(l.port),
    database: l.database ?? '',
    person: l.person ?? '',
    password: '',
  };
}

const ROLE_WORDS = {
  owner: 'an owner (everything, and the team’s people)',
  manager: 'a manager (replies, settings and review sites)',
  staff: 'staff (reads, and drafts replies a manager approves)',
};

/** What "Test connection" found, in one or two sentences. */
export function teamCheckText(check) {
  const who = check.role
    ? `You are ${check.person}, ${ROLE_WORDS[check.role] ?? check.role}.`
    : check.runs_the_database
      ? `You are ${check.person}, who runs this database (not on the team’s list of people).`
      : `You are ${check.person}, but not on the team’s list of people: ask the team’s owner to invite you.`;
  return `Connected to ${check.location}, version ${check.schema_version} of the team’s tables. ${who}`;
}

/** Where the app's reviews are now, and how the live link is doing. */
export function teamStatusText(view) {
  if (!view.in_use) return `Earshot uses this computer’s own database (${view.location}).`;
  const start = view.fixed_at_start
    ? `Earshot was started on the team database ${view.location}.`
    : `Earshot uses the team database ${view.location}.`;
  const link = view.link;
  if (!link) return `${start} Connecting for live updates…`;
  if (link.connected) return `${start} Live updates are on: other people’s changes show within a second.`;
  const wait = link.retry_in_secs ? ` Trying again in ${link.retry_in_secs} s.` : '';
  return `${start} Live updates are off for now: ${link.problem ?? 'the server does not answer'}.${wait}`;
}

/** The password field's note: where it is kept, and whether one is saved. */
export function passwordNote(view) {
  if (view.fixed_at_start) return 'The password, if any, comes with the address Earshot was started with.';
  const saved = view.password_saved ? 'A password is saved. Leave the field empty to keep it. ' : '';
  // The shell names the OS's store in its own terms; the owner reads the plain words.
  const where = /keyring/i.test(view.passwords_in ?? '') ? SAY.keyring.one : view.passwords_in;
  return `${saved}Kept in ${where}, never in Earshot’s settings or the database.`;
}

/** A failed step in words: what was tried, then the shell's own sentence. */
export function teamErrorText(what, e) {
  return `${what}: ${String(e?.message ?? e)}`;
}
