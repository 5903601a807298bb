// Turns a Playground.astro fallback into the live playground: tabs, the editor (Monaco,
// loaded in the background: Run works with the saved or starter code before it
// arrives), the Run box, one console per run, the page broker's panel, and the lifecycle
// of a message drawn on the message machine.

import { splitArgs } from './args.ts';
import { pageBroker } from './broker-host.ts';
import type { CodeEditor } from './editor/code-editor.ts';
import { forgetCode, loadCode, saveCode } from './store.ts';
import { DEFAULT_HEIGHT, type PlaygroundProps } from './types.ts';
import { brokerPanel } from './ui/broker-panel.ts';
import { checkPanel } from './ui/check-panel.ts';
import { h, uid } from './ui/dom.ts';
import { messageDiagram } from './ui/message-diagram.ts';
import { Consoles } from './ui/consoles.ts';
import { tabList } from './ui/tabs.ts';
import { warmWorker } from './worker-pool.ts';

interface FileState {
  name: string;
  starter: string;
  solution: string | undefined;
  code: string;
  args: string;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function mount(root: HTMLElement): void {
  if (root.dataset['mounted'] !== undefined) return;
  root.dataset['mounted'] = '';
  const data = root.querySelector('script[data-playground-props]')?.textContent;
  if (data === null || data === undefined) throw new Error('Playground: its props are missing');
  const props = JSON.parse(data) as PlaygroundProps;
  const host = pageBroker();
  warmWorker();

  const files: FileState[] = props.programs.map((p) => ({
    name: p.name,
    starter: p.starter,
    solution: p.solution,
    code: loadCode(props.id, p.name) ?? p.starter,
    args: p.args ?? '',
  }));
  let current = files[0]!;
  let editor: CodeEditor | undefined;
  const runs = new Map<string, number>();

  // ---- editor area ----
  const panelId = uid('pg-panel');
  const placeholder = h('pre', { class: 'pg-placeholder' }, h('code', {}, current.code));
  const editorBox = h('div', { class: 'pg-editor', style: `height: ${props.height ?? DEFAULT_HEIGHT}` }, placeholder);
  const banner = h('p', { class: 'pg-banner', hidden: true });
  const tabs = tabList(
    files.map((f) => f.name),
    panelId,
    (name) => select(name),
  );
  const panel = h('div', { id: panelId, role: 'tabpanel', 'aria-labelledby': tabs.tabId(current.name), class: 'pg-panel' }, banner, editorBox);

  const args = h('input', {
    type: 'text',
    class: 'pg-args',
    value: current.args,
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: 'none',
    onkeydown: (event) => {
      if ((event as KeyboardEvent).key === 'Enter') {
        event.preventDefault();
        run();
      }
    },
    oninput: () => {
      current.args = args.value;
    },
  });
  const argsId = uid('pg-args');
  args.id = argsId;
  const runButton = h('button', { type: 'button', class: 'pg-button pg-run-button', onclick: () => run() }, `Run ${current.name}`);
  const solutionButton = h('button', { type: 'button', class: 'pg-button', 'aria-pressed': 'false', onclick: () => toggleSolution() }, 'Solution');
  const resetButton = h('button', { type: 'button', class: 'pg-button', onclick: () => resetCode() }, 'Reset code');
  const hasSolutions = files.some((f) => f.solution !== undefined);
  const keys = isMac ? { run: '⌘+Enter', tab: '⌃⇧M' } : { run: 'Ctrl+Enter', tab: 'Ctrl+M' };

  const editorArea = h(
    'div',
    { class: 'pg-editor-area' },
    h('div', { class: 'pg-toolbar' }, tabs.element, h('span', { class: 'pg-buttons' }, hasSolutions && solutionButton, resetButton)),
    panel,
    h(
      'div',
      { class: 'pg-runbar' },
      h('label', { for: argsId, class: 'pg-args-label' }, 'Arguments'),
      args,
      runButton,
    ),
    h('p', { class: 'pg-hint' }, `${keys.run} runs the program in the editor. In the editor Tab indents; press ${keys.tab} first to move on with Tab.`),
  );

  const consoles = new Consoles(host);

  const checks = props.checks === undefined ? [] : [checkPanel(host, props.checks)];
  root.replaceChildren(h('div', { class: 'pg-main' }, editorArea, consoles.element), ...checks, brokerPanel(host), messageDiagram(host));
  root.classList.add('pg-live');
  solutionButton.disabled = current.solution === undefined;

  void import('./editor/code-editor.ts')
    .then(({ CodeEditor }) => {
      const focused = placeholder.contains(document.activeElement);
      editor = new CodeEditor(editorBox, props.id, files, {
        change: (name, code) => {
          const file = files.find((f) => f.name === name);
          if (file !== undefined) file.code = code;
          saveCode(props.id, name, code);
        },
        run: () => run(),
      });
      placeholder.remove();
      editor.show(current.name);
      if (focused) editor.focus();
    })
    .catch((error: unknown) => {
      placeholder.before(h('p', { class: 'pg-banner' }, `The editor could not load (${String(error)}); Run still runs the code shown.`));
    });

  function select(name: string): void {
    const file = files.find((f) => f.name === name);
    if (file === undefined) return;
    current = file;
    panel.setAttribute('aria-labelledby', tabs.tabId(name));
    args.value = file.args;
    runButton.textContent = `Run ${name}`;
    solutionButton.disabled = file.solution === undefined;
    if (editor === undefined) placeholder.firstElementChild!.textContent = file.code;
    else editor.show(name);
    if (file.solution === undefined && editor?.showingSolution) toggleSolution(false);
    else updateBanner();
  }

  function updateBanner(): void {
    const showing = editor?.showingSolution ?? false;
    banner.hidden = !showing;
    banner.textContent = showing ? `The solution of ${current.name}, read-only. Run runs it; press Solution again for your code.` : '';
  }

  function toggleSolution(on = !(editor?.showingSolution ?? false)): void {
    if (editor === undefined) return;
    editor.showSolution(on && current.solution !== undefined);
    solutionButton.setAttribute('aria-pressed', String(editor.showingSolution));
    updateBanner();
  }

  function resetCode(): void {
    if (!confirm(`Replace your code in ${current.name} with the starter code? (Ctrl+Z in the editor brings it back.)`)) return;
    current.code = current.starter;
    if (editor === undefined) placeholder.firstElementChild!.textContent = current.starter;
    else {
      if (editor.showingSolution) toggleSolution(false);
      editor.setCode(current.name, current.starter);
    }
    // After setCode, whose change event queued a save: the starter is not "your code".
    forgetCode(props.id, current.name);
  }

  function run(): void {
    const name = current.name;
    const solution = editor?.showingSolution ?? false;
    const code = editor === undefined ? current.code : editor.codeToRun(name);
    const n = (runs.get(name) ?? 0) + 1;
    runs.set(name, n);
    if (!solution) editor?.clearProblems(name);
    consoles.start({ filename: name, code, args: splitArgs(current.args), label: `${name}${solution ? ' (solution)' : ''} #${n}` }, (problem) => {
      if (!solution) editor?.markProblem(name, problem);
    });
  }
}
