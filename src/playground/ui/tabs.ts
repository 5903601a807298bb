// The program tabs: the WAI-ARIA tabs pattern with automatic activation (arrow keys,
// Home and End move between tabs; only the selected tab is in the Tab order).

import { h, uid } from './dom.ts';

export interface TabList {
  element: HTMLElement;
  tabId(name: string): string;
}

export function tabList(names: string[], panelId: string, onSelect: (name: string) => void): TabList {
  const ids = new Map(names.map((name) => [name, uid('pg-tab')]));
  const tabs: HTMLButtonElement[] = names.map((name, i) =>
    h('button', {
      type: 'button',
      role: 'tab',
      id: ids.get(name),
      class: 'pg-tab',
      'aria-selected': String(i === 0),
      'aria-controls': panelId,
      tabindex: i === 0 ? 0 : -1,
      onclick: () => select(i, false),
    }, name),
  );
  const select = (index: number, focus: boolean) => {
    tabs.forEach((tab, i) => {
      tab.setAttribute('aria-selected', String(i === index));
      tab.tabIndex = i === index ? 0 : -1;
    });
    if (focus) tabs[index]!.focus();
    onSelect(names[index]!);
  };
  const element = h('div', { role: 'tablist', class: 'pg-tabs', 'aria-label': 'Program files' }, ...tabs);
  element.addEventListener('keydown', (event) => {
    const at = tabs.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const last = tabs.length - 1;
    const to = { ArrowRight: at === last ? 0 : at + 1, ArrowLeft: at === 0 ? last : at - 1, Home: 0, End: last }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    select(to, true);
  });
  return { element, tabId: (name) => ids.get(name) ?? '' };
}
