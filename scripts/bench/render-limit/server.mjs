// The render limit of this stack: plain Express 5 + Nunjucks rendering a 50-row table inside a
// layout (head, menu, footer), no database, no session, no middleware. `npm run bench` starts it
// as its own process next to the portal; a page cannot be faster than this on the same machine.
//
//   PORT=0 node scripts/bench/render-limit/server.mjs     prints "render limit listening on <port>"
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import nunjucks from 'nunjucks';

const views = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');
const app = express();
nunjucks.configure(views, { autoescape: true, express: app, noCache: false, trimBlocks: true, lstripBlocks: true });
app.set('view engine', 'njk');

const CITIES = ['Enschede', 'Hengelo', 'Almelo', 'Zwolle', 'Deventer', 'Utrecht'];
const rows = Array.from({ length: 50 }, (_, i) => ({
  id: 1000 + i,
  name: `Jansen & Zn. ${i + 1}`,
  email: `medewerker${i + 1}@organisatie.example.nl`,
  city: CITIES[i % CITIES.length],
  date: new Date(Date.UTC(2017, 6, 1 + (i % 28))),
  amount: (i * 104.729).toFixed(2),
  active: i % 7 !== 0,
}));
const menu = [
  'Dashboard',
  'Organisatie',
  'Contactpersonen',
  'Persoonlijk',
  'Facturen',
  'Handleidingen',
  'Tickets',
  'FAQ',
];

app.get('/', (req, res) => {
  res.render('table', { title: 'Contactpersonen', menu, rows, user: 'Jan Jansen' });
});
app.get('/healthz', (req, res) => res.type('text').send('ok'));

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`render limit listening on ${server.address().port}`);
});
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
