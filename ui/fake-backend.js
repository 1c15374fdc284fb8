// A small in-memory stand-in for the Rust shell, used when the UI runs in a plain browser or in
// node tests. It answers the same commands with the same shapes (see src-tauri/src/commands.rs),
// from a tiny deterministic data set. It is never loaded inside the desktop app.

const listeners = new Map();
let reviews = [];
let businesses = [];
let channels = [];
let topics = [];
let watcher = false;
// Settings → Team database: the saved login, whether a password is saved (the fake keeps no
// password at all, as the shell keeps none in the settings) and whether it is in use.
let team = { login: null, passwordSaved: false, inUse: false };
let uiPrefs = { letter_keys: true };
// The owner's reviews and businesses while the demo is open (the demo has its own, as the shell's
// demo database does); null when the owner's data is the one shown.
let owner = null;

function emit(event, payload) {
  for (const fn of listeners.get(event) ?? []) fn(payload);
}

export function listen(event, fn) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(fn);
  return () => listeners.get(event).delete(fn);
}

/** Empties the fake database (tests call this between cases). */
export function reset() {
  reviews = [];
  businesses = [];
  channels = [];
  topics = [];
  watcher = false;
  team = { login: null, passwordSaved: false, inUse: false };
  uiPrefs = { letter_keys: true };
  owner = null;
}

function teamView() {
  const l = team.login;
  return {
    login: l,
    in_use: team.inUse,
    location: team.inUse ? `postgresql://${l.person}@${l.host}${l.port ? `:${l.port}` : ''}/${l.database}` : '~/.local/share/earshot/earshot.db',
    password_saved: team.passwordSaved,
    fixed_at_start: false,
    passwords_in: 'the OS keyring',
    link: team.inUse ? { connected: true, problem: null, retry_in_secs: null } : null,
    your_notifications: team.inUse
      ? { quiet_hours: null, daily_digest: false, digest_hour: 18, paused_until: null, last_digest_at: null }
      : null,
  };
}

/** The fake server: `nowhere` does not answer; a login without a password is refused. */
function teamConnect(login, password) {
  if (login.host === 'nowhere') {
    throw { code: 'database', message: `team database postgresql://${login.person}@nowhere/${login.database}: error connecting to server: Connection refused` };
  }
  if (!password && !team.passwordSaved) {
    throw { code: 'database', message: `password authentication failed for user "${login.person}"` };
  }
  return {
    location: `postgresql://${login.person}@${login.host}${login.port ? `:${login.port}` : ''}/${login.database}`,
    schema_version: 8, person: login.person, role: 'manager', runs_the_database: false,
  };
}

const BODIES = [
  ['Lovely flat white and the friendliest staff in town.', 5],
  ['Cinnamon buns are worth the trip alone. Cosy spot by the water.', 5],
  ['Good coffee, a bit pricey. Seats by the window are the best.', 4],
  ['Waited 25 minutes for two coffees on Saturday. Not great.', 2],
  ['Decent brunch, the eggs were cold though.', 3],
  ['Our go-to place for a Sunday morning. Never disappoints.', 5],
  ['Service was slow and the table was sticky.', 1],
  ['Great pastries, lovely terrace in summer.', 4],
];
const PLATFORMS = ['google', 'yelp', 'tripadvisor', 'facebook'];

function makeDemo(today = new Date()) {
  businesses = [
    { id: 1, name: 'Harbour Lane Café', is_competitor: false, category: 'cafe' },
    { id: 2, name: 'The Daily Grind', is_competitor: true, category: 'cafe' },
  ];
  reviews = [];
  let id = 0;
  for (let day = 0; day < 3 * 365; day += 1) {
    const perDay = 1 + ((day * 7) % 3 === 0 ? 1 : 0);
    for (let k = 0; k < perDay; k += 1) {
      id += 1;
      const [body, rating] = BODIES[(day + k) % BODIES.length];
      const created = new Date(today.getTime() - day * 86400000 - k * 3600000);
      reviews.push({
        id,
        business: businesses[id % 5 === 0 ? 1 : 0].name,
        business_id: id % 5 === 0 ? 2 : 1,
        source_id: 1,
        platform: PLATFORMS[id % PLATFORMS.length],
        external_id: `fake-${id}`,
        kind: 'review',
        author: ['Maya R.', 'Tom', 'Priya K.', 'Jonas', null][id % 5],
        rating,
        title: null,
        body,
        created_at: created.toISOString(),
        updated_at: null,
        url: `https://example.com/review/${id}`,
        language: 'en',
        replied: id % 3 === 0,
        replied_at: null,
        sentiment: null,
        sentiment_label: null,
        removed: false,
        unread: true,
      });
    }
  }
  return {
    businesses: businesses.map((b) => b.name),
    reviews: reviews.length,
    mentions: 0,
    replies: reviews.filter((r) => r.replied).length,
    new: reviews.length,
  };
}

function stats(businessId) {
  const b = businesses.find((x) => x.id === businessId);
  const mine = reviews.filter((r) => r.business_id === businessId);
  const rated = mine.filter((r) => r.rating !== null);
  const distribution = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  for (const r of rated) distribution[String(Math.round(r.rating))] += 1;
  const months = new Map();
  for (const r of mine) {
    const m = r.created_at.slice(0, 7);
    const e = months.get(m) ?? { month: m, count: 0, sum: 0, rated: 0 };
    e.count += 1;
    if (r.rating !== null) { e.sum += r.rating; e.rated += 1; }
    months.set(m, e);
  }
  const avg = (sum, n) => (n > 0 ? Math.round((sum / n) * 100) / 100 : null);
  return {
    business: b.name,
    count: mine.length,
    average_rating: avg(rated.reduce((s, r) => s + r.rating, 0), rated.length),
    distribution,
    by_month: [...months.values()]
      .sort((x, y) => x.month.localeCompare(y.month))
      .map((e) => ({ month: e.month, count: e.count, average_rating: avg(e.sum, e.rated) })),
  };
}

function listReviews(filter = {}) {
  let out = reviews.filter((r) => filter.business_id == null || r.business_id === filter.business_id);
  if (filter.search) {
    const q = filter.search.toLowerCase();
    out = out.filter((r) => r.body.toLowerCase().includes(q));
  }
  out.sort((a, b) => b.created_at.localeCompare(a.created_at));
  const offset = filter.offset ?? 0;
  return out.slice(offset, offset + (filter.limit ?? 100));
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

export async function invoke(command, args) {
  switch (command) {
    case 'dashboard': {
      const chosen = args.business != null
        ? businesses.find((b) => b.id === args.business)
        : businesses[0];
      if (args.business != null && !chosen) {
        throw { code: 'unknown_business', message: `no business with id ${args.business}` };
      }
      return {
        empty: reviews.length === 0,
        businesses,
        business: chosen ?? null,
        stats: chosen ? stats(chosen.id) : null,
        latest: chosen ? listReviews({ business_id: chosen.id, limit: 8 }) : [],
        db_path: '(browser preview: fake data)',
      };
    }
    case 'list_reviews':
      return listReviews(args.filter);
    case 'count_reviews':
      return listReviews({ ...args.filter, offset: 0, limit: Infinity }).length;
    case 'inbox_facets':
      return { businesses, platforms: [...new Set(reviews.map((r) => r.platform))].sort(), aspects: ['coffee', 'service', 'wait time'] };
    case 'mark_read':
      return null;
    case 'unread_alert_count':
      return 0;
    case 'pending_upgrade':
      return null;
    case 'ui_prefs':
      return { ...uiPrefs };
    case 'set_ui_prefs':
      uiPrefs = { ...uiPrefs, ...args.prefs };
      return null;
    case 'list_alert_channels':
      return channels;
    case 'list_topics':
      return { topics: topics.filter((t) => args.business == null || t.business_id === args.business) };
    case 'save_topic': {
      const name = String(args.name ?? '').trim();
      if (!name) throw { code: 'invalid', message: 'invalid topic: a topic needs a name' };
      if (topics.some((t) => t.business_id === args.business && t.id !== args.id
        && t.name.toLowerCase() === name.toLowerCase())) {
        throw { code: 'invalid', message: `invalid topic: a topic named "${name}" already exists` };
      }
      const words = String(args.words ?? '').split(',').map((w) => w.trim()).filter(Boolean);
      let topic = topics.find((t) => t.id === args.id);
      if (topic) Object.assign(topic, { name, words });
      else {
        topic = { id: topics.reduce((m, t) => Math.max(m, t.id), 0) + 1, business_id: args.business, name, words };
        topics.push(topic);
      }
      const total = reviews.filter((r) => r.business_id === args.business).length;
      args.onProgress?.({ done: total, total });
      return { topic, business: businesses.find((b) => b.id === args.business)?.name ?? '', reviews_retagged: 0 };
    }
    case 'remove_topic': {
      const topic = topics.find((t) => t.id === args.id);
      if (!topic) throw { code: 'unknown_topic', message: `no topic with id ${args.id}` };
      topics = topics.filter((t) => t.id !== args.id);
      return { topic, business: '', reviews_retagged: 0 };
    }
    case 'add_alert_channel': {
      const c = {
        id: channels.length + 1, kind: args.spec.kind, target: args.spec.target, settings: {},
        kinds: args.spec.kinds?.length ? args.spec.kinds : null, quiet_hours: args.spec.quiet_hours ?? null,
        digest_hour: args.spec.digest_hour ?? null, sent: 0, pending: 0, failed: 0,
        last_sent_at: null, last_error: null, unconfirmed: null,
      };
      channels.push(c);
      return c;
    }
    case 'test_alert_channel':
      return null;
    case 'team_database':
      return teamView();
    case 'save_team_database':
      team.login = args.login;
      if (args.password) team.passwordSaved = true;
      return teamView();
    case 'test_team_database':
      return teamConnect(args.login, args.password);
    case 'use_team_database':
      if (args.on) teamConnect(team.login, null);
      team.inUse = Boolean(args.on);
      emit('reviews-changed', null);
      return teamView();
    case 'watcher_status':
    case 'install_watcher':
    case 'uninstall_watcher':
      if (command === 'install_watcher') watcher = true;
      if (command === 'uninstall_watcher') watcher = false;
      return {
        installed: watcher, running: watcher, systemd: true,
        unit_path: '~/.config/systemd/user/earshot-watch.service', advice: null,
      };
    case 'remove_alert_channel':
      channels = channels.filter((c) => c.id !== args.id);
      return null;
    case 'confirm_alert_channel':
      channels = channels.map((c) => (c.id === args.id ? { ...c, unconfirmed: null } : c));
      return null;
    case 'load_demo': {
      await delay(600);
      owner ??= { reviews, businesses };
      const summary = makeDemo();
      emit('reviews-changed', summary);
      return summary;
    }
    case 'demo_state':
      return { active: owner !== null };
    case 'leave_demo':
      if (owner) ({ reviews, businesses } = owner);
      owner = null;
      emit('reviews-changed', null);
      return { active: false };
    case 'add_business': {
      const name = String(args.name ?? '').trim();
      if (!name) throw { code: 'bad_name', message: 'Give the business a name.' };
      if (businesses.some((b) => b.name === name)) {
        throw { code: 'duplicate_business', message: `There is already a business called ${name}.` };
      }
      const b = { id: Math.max(0, ...businesses.map((x) => x.id)) + 1, name, is_competitor: Boolean(args.competitor), category: null };
      businesses = [...businesses, b];
      return b;
    }
    case 'choose_import_file':
      return null;
    case 'preview_import':
      return fakePreview(args.path);
    case 'save_import_template':
      return '~/earshot-reviews-template.csv';
    case 'import_file':
      throw { code: 'io', message: 'Importing files needs the desktop app.' };
    // Ask for reviews (issue 29): a link and an empty list; asking needs the desktop app.
    case 'requests_overview':
      return {
        business: args.business,
        links: [{
          platform: 'google', label: 'Google', from: 'source', rule: null,
          url: 'https://search.google.com/local/writereview?placeid=ChIJN1t_tDeuEmsRUsoyG83frY4',
        }],
        customers: [],
        settings: {
          period_days: 90, window_days: 30, subject: 'How was your visit to {business}?',
          body: 'Hello {name}, would you tell others how it went? {link}', sms: 'Hello {name}: {link}',
        },
        warnings: [],
        stats: {
          sent: 0, unconfirmed: 0, failed: 0, responses: 0, response_rate: null, responses_rating: null,
          others_rating: null, others: 0, window_days: 30, matched: [],
        },
      };
    case 'request_qr_preview':
    case 'set_request_link':
    case 'save_request_card':
    case 'choose_customers_file':
    case 'import_customers':
    case 'send_review_requests':
    case 'set_request_settings':
      throw { code: 'io', message: 'Asking for reviews needs the desktop app.' };
    default:
      throw { code: 'unknown_command', message: `unknown command ${command}` };
  }
}

export function openUrl(url) {
  globalThis.open?.(url, '_blank', 'noopener');
}

// The preview of an owner's own spreadsheet, in the shape of the core's ImportPreview: headers
// that are not Earshot's, and the columns the core would propose for them.
function fakePreview(path) {
  const headers = ['Date', 'Name', 'Stars', 'Comment', 'Where'];
  const fields = [
    ['external_id', 'Review id (made up when the file has none)', false, null],
    ['platform', 'Platform (Google, Yelp…)', false, null],
    ['author', "Reviewer's name", false, 'Name'],
    ['rating', 'Stars (1 to 5)', false, 'Stars'],
    ['title', 'Title', false, null],
    ['body', 'Review text', false, 'Comment'],
    ['created_at', 'Date', true, 'Date'],
    ['url', 'Link to the review', false, null],
    ['kind', 'Review or post', false, null],
    ['language', 'Language', false, null],
  ].map(([name, label, required, column]) => ({ name, label, required, column }));
  return {
    format: 'csv', format_label: 'Earshot CSV', mappable: String(path ?? '').endsWith('.csv'),
    headers,
    rows: [
      ['2024-05-01', 'Sam P.', '5', 'Great coffee, friendly staff.', 'Google'],
      ['2024-05-03', 'Alex', '2', 'Waited 20 minutes for a latte. <b>not bold</b>', 'Yelp'],
      ['2024-05-04', 'Jo', '4', 'Nice terrace.', 'Google'],
    ],
    fields, generated_ids: true, missing: [],
  };
}
