import type { Page } from 'playwright-core';

// The callbacks of page.evaluate run in Chromium; the project's types have no DOM library.
declare const document: any;
declare const window: any;
declare function getComputedStyle(el: unknown): any;

/**
 * What makes the page scroll sideways at its viewport width, or null when nothing does. An
 * element inside a deliberate scroll container (a `.table-wrap`, a `<pre>` or anything else with
 * overflow-x auto, scroll or hidden) scrolls there, not the page, and does not count.
 */
export async function pageOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return null;
    const clipped = (el: any) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
        if (/auto|scroll|hidden|clip/.test(getComputedStyle(a).overflowX)) return true;
      return false;
    };
    const wide = [...document.querySelectorAll('body *')]
      .filter(
        (el) =>
          (!clipped(el) || /absolute|fixed/.test(getComputedStyle(el).position)) &&
          el.getBoundingClientRect().right + window.scrollX > root.clientWidth + 1,
      )
      .map((el) => {
        const cls = el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : '';
        return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls} (right ${Math.round(el.getBoundingClientRect().right)})`;
      });
    return `scrollWidth ${root.scrollWidth} > ${root.clientWidth}: ${wide.slice(0, 6).join(', ')}`;
  });
}
