import { ApiFailure, api } from '../api.js';
import { h } from '../dom.js';

/**
 * The only thing shown without the token: a form asking for it. The token is tried once against the
 * API and, when it works, kept in this tab's session storage by the caller.
 */
export function loginView(onToken: (token: string) => void, message?: string): HTMLElement {
  const input = h('input', {
    type: 'password',
    id: 'token',
    name: 'token',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
    'aria-describedby': 'login-message',
  });
  const status = h(
    'p',
    { id: 'login-message', class: message ? 'error-text' : 'muted', role: 'status' },
    message ?? 'This server needs its API token (api.authToken in its configuration).',
  );
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'login',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const candidate = input.value.trim();
        if (candidate === '') return;
        button.disabled = true;
        status.className = 'muted';
        status.textContent = 'Checking…';
        api.check('api/sync/overview', candidate).then(
          () => onToken(candidate),
          (error: unknown) => {
            button.disabled = false;
            status.className = 'error-text';
            status.textContent =
              error instanceof ApiFailure && error.status === 401
                ? 'That token is not valid.'
                : `The server did not answer: ${(error as Error).message}`;
            input.select();
          },
        );
      },
    },
    h('h1', {}, 'picture-book'),
    h('label', { for: 'token' }, 'API token'),
    input,
    button,
    status,
  );
  queueMicrotask(() => input.focus());
  return h('main', { class: 'login-page' }, form);
}
