// Alert details as sanitized HTML: marked renders the markdown, DOMPurify keeps only inert markup with http(s) URLs.
import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { safeHttpUrl } from './safe-url';

export { safeHttpUrl };

// The page's own <h1> is the summary: headings in details start at <h3>, under the page's "Details" <h2>.
const markdown = new Marked({
  async: false,
  gfm: true,
  breaks: true,
  walkTokens: (token) => {
    if (token.type === 'heading') token.depth = Math.min(6, token.depth + 2);
  },
});

let hooked = false;

// Runs once: every href/src that is not http(s) goes, and links open in a new tab without handing it this page.
function installHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    for (const name of ['href', 'src', 'xlink:href', 'action', 'formaction', 'srcset']) {
      const value = node.getAttribute(name);
      if (value === null) continue;
      const safe = name === 'srcset' ? undefined : safeHttpUrl(value);
      if (safe) node.setAttribute(name, safe);
      else node.removeAttribute(name);
    }
    // An image from markdown without alt text is read as its file name; an empty alt marks it as decoration instead.
    if (node.tagName === 'IMG' && !node.hasAttribute('alt')) node.setAttribute('alt', '');
    if (node.tagName === 'A') {
      if (node.hasAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      } else {
        node.removeAttribute('target');
      }
    }
  });
}

/** Markdown from alert data as HTML that can run nothing: no script, style, frame, form or handler, no foreign scheme. */
export function renderMarkdown(text: string): string {
  installHooks();
  const raw = markdown.parse(text, { async: false });
  return DOMPurify.sanitize(raw, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: [
      'style',
      'iframe',
      'form',
      'input',
      'button',
      'textarea',
      'select',
      'object',
      'embed',
      'frame',
      'frameset',
      'base',
      'link',
      'meta',
      'svg',
      'math',
    ],
    FORBID_ATTR: ['style', 'srcset', 'formaction', 'action', 'target'],
    ALLOW_DATA_ATTR: false,
  });
}
