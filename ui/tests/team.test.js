// Settings → Team database (issue 31): the form's checks in plain words, the password never
// given back to the screen, the server's errors shown as text, and the fake backend's round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '../api.js';
import { reset } from '../fake-backend.js';
import { jargonIn } from '../words.js';
import {
  passwordNote, teamCheckText, teamErrorText, teamFormValues, teamLoginFromForm, teamStatusText,
} from '../team-logic.js';

const UI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('the form becomes a login, and each missing field is named in words', () => {
  assert.deepEqual(teamLoginFromForm({ host: ' db.cafe.com ', port: '', database: 'harbour', person: ' sam ' }),
    { login: { host: 'db.cafe.com', port: null, database: 'harbour', person: 'sam' }, error: null });
  assert.equal(teamLoginFromForm({ host: 'db', port: '6432', database: 'h', person: 's' }).login.port, 6432);
  assert.match(teamLoginFromForm({ host: '', database: 'h', person: 's' }).error, /server/);
  assert.match(teamLoginFromForm({ host: 'db', database: ' ', person: 's' }).error, /database/);
  assert.match(teamLoginFromForm({ host: 'db', database: 'h', person: '' }).error, /sign in/);
  for (const port of ['0', '70000', 'abc', '54.3']) {
    const { login, error } = teamLoginFromForm({ host: 'db', port, database: 'h', person: 's' });
    assert.equal(login, null);
    assert.match(error, /port/);
  }
});

test('the password field always starts empty, whatever the state holds', () => {
  const view = {
    login: { host: 'db', port: 6432, database: 'h', person: 'sam' },
    password_saved: true,
    // Were a shell ever to send one, the form still would not show it.
    password: 'hunter2',
  };
  assert.deepEqual(teamFormValues(view), { host: 'db', port: '6432', database: 'h', person: 'sam', password: '' });
  assert.equal(teamFormValues(null).password, '');
  // The card makes the password input with an empty value and nothing else.
  const card = readFileSync(path.join(UI, 'views', 'settings-team.js'), 'utf8');
  const line = card.split('\n').find((l) => l.includes("'team-password', "));
  assert.match(line, /text\('team-password', '', \{ type: 'password'/);
  assert.ok(!/v\.password/.test(card), 'the saved password is never read into the form');
});

test('the shell\'s state never carries the password, only whether one is saved', async () => {
  reset();
  const login = { host: 'db.cafe.com', port: null, database: 'harbour', person: 'sam' };
  const saved = await api.saveTeamDatabase(login, 'hunter2');
  assert.equal(saved.password_saved, true);
  assert.ok(!JSON.stringify(saved).includes('hunter2'));
  assert.ok(!JSON.stringify(await api.teamDatabase()).includes('hunter2'));
  const used = await api.useTeamDatabase(true);
  assert.equal(used.in_use, true);
  assert.match(teamStatusText(used), /team database postgresql:\/\/sam@db\.cafe\.com\/harbour\. Live updates are on/);
  const back = await api.useTeamDatabase(false);
  assert.match(teamStatusText(back), /this computer’s own database/);
});

test('a server that does not answer is said as text, with the server\'s own words', async () => {
  reset();
  const login = { host: 'nowhere', port: null, database: 'harbour', person: 'sam' };
  await assert.rejects(api.testTeamDatabase(login, 'x'), (e) => {
    const text = teamErrorText('Could not connect', e);
    assert.match(text, /^Could not connect: team database postgresql:\/\/sam@nowhere\/harbour: .*refused/);
    assert.ok(!text.includes('[object'), text);
    return true;
  });
  // A string rejection reads as well.
  assert.equal(teamErrorText('Not saved', 'disk full'), 'Not saved: disk full');
});

test('Test connection says the schema, who you are and your role', async () => {
  reset();
  const check = await api.testTeamDatabase({ host: 'db', port: 6432, database: 'h', person: 'sam' }, 'pw');
  assert.equal(teamCheckText(check),
    'Connected to postgresql://sam@db:6432/h, version 8 of the team’s tables. You are sam, a manager (replies, settings and review sites).');
  assert.match(teamCheckText({ ...check, role: null, runs_the_database: true }), /who runs this database/);
  assert.match(teamCheckText({ ...check, role: null, runs_the_database: false }), /ask the team’s owner to invite you/);
});

test('a lost link says why and when it tries again; every sentence is in plain words', () => {
  const view = {
    in_use: true, fixed_at_start: false, location: 'postgresql://sam@db/h', password_saved: true,
    passwords_in: 'the OS keyring',
    link: { connected: false, problem: 'connection closed', retry_in_secs: 4 },
  };
  const status = teamStatusText(view);
  assert.match(status, /Live updates are off for now: connection closed\. Trying again in 4 s\./);
  const note = passwordNote(view);
  assert.match(note, /^A password is saved\. Leave the field empty to keep it\. Kept in your computer's password store/);
  for (const text of [status, note, teamStatusText({ ...view, link: null }), teamStatusText({ ...view, in_use: false })]) {
    assert.deepEqual(jargonIn(text), [], text);
  }
  assert.match(passwordNote({ ...view, fixed_at_start: true }), /comes with the address Earshot was started with/);
  assert.match(passwordNote({ password_saved: false, passwords_in: 'the file /home/sam/secrets.json' }),
    /^Kept in the file \/home\/sam\/secrets\.json/);
});
