import { fill, h } from './dom.js';

let dialog: HTMLDialogElement | undefined;

/** Asks before an action (a modal dialog); resolves true when the user confirms. */
export function confirmAction(title: string, detail: string, action: string): Promise<boolean> {
  dialog ??= document.body.appendChild(h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' }));
  const box = dialog;
  return new Promise((resolve) => {
    const answer = (yes: boolean) => () => {
      box.close(yes ? 'yes' : 'no');
    };
    box.addEventListener('close', () => resolve(box.returnValue === 'yes'), { once: true });
    fill(
      box,
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, detail),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'button', class: 'secondary', onclick: answer(false) }, 'Cancel'),
        h('button', { type: 'button', class: 'primary', onclick: answer(true) }, action),
      ),
    );
    box.returnValue = '';
    box.showModal();
  });
}
