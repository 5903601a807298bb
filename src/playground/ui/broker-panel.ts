// The broker panel: Reset and Restart, and live tables of queues, exchanges and
// bindings (redrawn at most once per animation frame, from the broker's event stream),
// and below them the Activity feed (activity-feed.ts).

import type { BrokerHost } from '../broker-host.ts';
import { bindingRows, exchangeRows, queueRows } from '../broker-rows.ts';
import { restartNote } from '../restart-note.ts';
import { activityFeed } from './activity-feed.ts';
import { h, uid } from './dom.ts';

const DEFAULT_EXCHANGE = '(AMQP default)';

function table(caption: string, headers: [label: string, numeric?: boolean][]): { table: HTMLTableElement; body: HTMLTableSectionElement } {
  const body = h('tbody');
  const t = h(
    'table',
    { class: 'pg-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map(([label, numeric]) => h('th', { scope: 'col', class: numeric ? 'pg-num' : undefined }, label)))),
    body,
  );
  return { table: t, body };
}

function row(cells: (string | number)[], options: { numeric?: number[]; muted?: boolean } = {}): HTMLTableRowElement {
  return h(
    'tr',
    { class: options.muted ? 'pg-muted' : undefined },
    ...cells.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, String(cell)) : h('td', { class: options.numeric?.includes(i) ? 'pg-num' : undefined }, String(cell)))),
  );
}

function empty(columns: number, text: string): HTMLTableRowElement {
  return h('tr', { class: 'pg-empty' }, h('td', { colspan: columns }, text));
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

export function brokerPanel(host: BrokerHost, headingLevel: 'h3' | 'h4' = 'h3'): HTMLElement {
  const headingId = uid('pg-broker');
  const queues = table('Queues', [['Name'], ['Type'], ['Durable'], ['Ready', true], ['Unacked', true], ['Consumers', true]]);
  const exchanges = table('Exchanges', [['Name'], ['Type'], ['Durable']]);
  const bindings = table('Bindings', [['Source'], ['Destination'], ['Routing key']]);
  const status = h('p', { class: 'pg-broker-status', role: 'status' });

  const render = () => {
    const vhost = host.broker.vhost;
    const q = queueRows(vhost);
    queues.body.replaceChildren(
      ...(q.length === 0
        ? [empty(6, 'No queues yet.')]
        : q.map((r) => {
            const features = [r.exclusive ? 'exclusive' : '', r.autoDelete ? 'auto-delete' : ''].filter(Boolean).join(', ');
            return row([r.name, features === '' ? r.type : `${r.type} (${features})`, yesNo(r.durable), r.ready, r.unacked, r.consumers], { numeric: [3, 4, 5] });
          })),
    );
    exchanges.body.replaceChildren(
      ...exchangeRows(vhost).map((r) => row([r.name === '' ? DEFAULT_EXCHANGE : r.name, r.type, yesNo(r.durable)], { muted: r.name === '' || r.name.startsWith('amq.') })),
    );
    const b = bindingRows(vhost);
    bindings.body.replaceChildren(
      ...(b.length === 0
        ? [empty(3, 'No bindings yet.')]
        : b.map((r) => row([r.source === '' ? DEFAULT_EXCHANGE : r.source, `${r.destination} (${r.destinationKind})`, r.routingKey === '' ? '(empty)' : r.routingKey], { muted: r.source === '' }))),
    );
  };
  host.onChange(render);

  const say = (text: string) => {
    status.textContent = text;
  };
  return h(
    'section',
    { class: 'pg-broker', 'aria-labelledby': headingId },
    h(
      'div',
      { class: 'pg-broker-head' },
      h(headingLevel, { id: headingId }, 'Broker'),
      h(
        'div',
        { class: 'pg-buttons' },
        h('button', {
          type: 'button',
          class: 'pg-button',
          title: 'Like restarting RabbitMQ: durable queues and persistent messages stay; connections close',
          onclick: () => {
            say(restartNote(host.restart()));
          },
        }, 'Restart broker'),
        h('button', {
          type: 'button',
          class: 'pg-button',
          title: 'A new, empty broker; running programs are killed',
          onclick: () => {
            // The reset also clears what graded the old broker (check results); say so here, in one announcement.
            const cleared = host.reset();
            say(['Broker reset: a new, empty broker. Running programs were killed.', ...cleared].join(' '));
          },
        }, 'Reset broker'),
      ),
    ),
    status,
    h('div', { class: 'pg-table-scroll' }, queues.table),
    h('div', { class: 'pg-broker-more' }, h('div', { class: 'pg-table-scroll' }, exchanges.table), h('div', { class: 'pg-table-scroll' }, bindings.table)),
    activityFeed(host, headingLevel === 'h3' ? 'h4' : 'h5'),
  );
}
