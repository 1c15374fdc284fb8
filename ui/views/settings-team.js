// Settings' "Team database" card (issue 31): the server, database and person of the team's shared
// database, the password (sent to the password store, never shown back), "Test connection", and
// the switch between the team's database and this computer's own. It loads its own state, so it
// works whichever database the rest of Settings can read. Text from the server (names, errors)
// is set as text, never as markup.

import * as api from '../api.js';
import { h, mount } from '../dom.js';
import { showNotice } from '../components/notice.js';
import {
  passwordNote, teamCheckText, teamErrorText, teamFormValues, teamLoginFromForm, teamStatusText,
} from '../team-logic.js';

const field = (id, label, control, help) => h('div', { class: 'field' },
  h('label', { for: id }, label), control, help ? h('p', { class: 'muted field-help' }, help) : null);

export function teamCard(ctx) {
  // The state drawn last: what a live-link event updates.
  let shown = null;
  const body = h('div', { id: 'team-body' }, h('p', { class: 'muted' }, 'Checking…'));
  // Where each step's outcome is said: a live region, so it is read out as well as shown.
  const said = h('p', { id: 'team-said', role: 'status', class: 'team-said' });
  const say = (text, problem = false) => {
    said.textContent = text;
    said.classList.toggle('warn-text', problem);
  };

  const draw = (view) => {
    shown = view;
    const v = teamFormValues(view);
    const locked = view.fixed_at_start;
    const text = (id, value, attrs = {}) => h('input', {
      id, type: 'text', value, autocomplete: 'off', spellcheck: 'false', disabled: locked, ...attrs,
    });
    const host = text('team-host', v.host, { placeholder: 'e.g. db.yourcafe.com' });
    const port = text('team-port', v.port, { inputmode: 'numeric', placeholder: '5432' });
    const database = text('team-database', v.database, { placeholder: 'e.g. harbour_team' });
    const person = text('team-person', v.person, { placeholder: 'e.g. sam' });
    // Always empty: a saved password stays in the password store and is never sent back here.
    const password = text('team-password', '', { type: 'password', autocomplete: 'new-password' });
    const form = () => teamLoginFromForm({
      host: host.value, port: port.value, database: database.value, person: person.value,
    });
    const typedPassword = () => (password.value === '' ? null : password.value);
    const busy = async (button, work) => {
      const label = button.textContent;
      button.disabled = true;
      try { await work(); } finally { if (button.isConnected) { button.disabled = false; button.textContent = label; } }
    };

    const test = h('button', { class: 'btn', type: 'button', id: 'team-test', disabled: locked }, 'Test connection');
    test.addEventListener('click', () => busy(test, async () => {
      const { login, error } = form();
      if (error) { say(error, true); return; }
      say('Connecting…');
      try {
        say(teamCheckText(await api.testTeamDatabase(login, typedPassword())));
      } catch (e) {
        say(teamErrorText('Could not connect', e), true);
      }
    }));
    const save = h('button', { class: 'btn', type: 'button', id: 'team-save', disabled: locked }, 'Save');
    save.addEventListener('click', () => busy(save, async () => {
      const { login, error } = form();
      if (error) { say(error, true); return; }
      try {
        const next = await api.saveTeamDatabase(login, typedPassword());
        draw(next);
        say('Saved.');
      } catch (e) {
        say(teamErrorText('Not saved', e), true);
      }
    }));
    const switchTo = async (button, on) => busy(button, async () => {
      if (on) {
        const { login, error } = form();
        if (error) { say(error, true); return; }
        say('Connecting…');
        try {
          await api.saveTeamDatabase(login, typedPassword());
        } catch (e) {
          say(teamErrorText('Not saved', e), true);
          return;
        }
      }
      try {
        const next = await api.useTeamDatabase(on);
        draw(next);
        showNotice(on ? 'Earshot now uses the team database.' : 'Earshot now uses this computer’s own database.');
        await ctx?.refresh?.();
      } catch (e) {
        say(teamErrorText(on ? 'Earshot stayed on this computer’s database' : 'Earshot stayed on the team database', e), true);
      }
    });
    const use = h('button', { class: 'btn btn-primary', type: 'button', id: 'team-use' }, 'Use this team database');
    use.addEventListener('click', () => switchTo(use, true));
    const back = h('button', { class: 'btn', type: 'button', id: 'team-back' }, 'Back to this computer’s database');
    back.addEventListener('click', () => switchTo(back, false));
    use.hidden = view.in_use || locked;
    back.hidden = !view.in_use || locked;

    mount(body,
      h('p', { id: 'team-status' }, teamStatusText(view)),
      locked ? h('p', { class: 'muted' }, 'To choose here, start Earshot without EARSHOT_DB or --db.') : null,
      h('div', { class: 'grid-2' },
        field('team-host', 'Server', host),
        field('team-port', 'Port', port, 'Empty: the usual one, 5432.'),
        field('team-database', 'Database', database),
        field('team-person', 'Your name on it', person),
        field('team-password', 'Password', password, passwordNote(view))),
      h('div', { class: 'actions actions-left' }, test, save, use, back),
      said);
  };

  // The live link's news changes the status line in place (the form keeps what was typed); the
  // subscription ends once the card has left the screen.
  api.onTeamLink((link) => {
    const status = document.getElementById('team-status');
    if (!shown || !status || !body.isConnected) return;
    shown = { ...shown, link };
    status.textContent = teamStatusText(shown);
  }).then((stop) => {
    const check = setInterval(() => { if (!body.isConnected && shown) { clearInterval(check); stop(); } }, 5000);
  }).catch(() => { /* live news of the link is a nicety; the card still says it on opening */ });
  api.teamDatabase().then(draw).catch((e) => {
    mount(body, h('p', { class: 'warn-text' }, teamErrorText('Could not read the team database settings', e)));
  });
  return h('section', { class: 'card settings-card', id: 'team', 'aria-labelledby': 'team-title' },
    h('h2', { id: 'team-title' }, 'Team database'),
    h('p', { class: 'muted settings-intro' },
      'Several people, one set of reviews: point every computer at the team’s shared database. Each person signs in with their own name and password; what one does, the others see within a second.'),
    body);
}
