import type { Page } from '@playwright/test';

export interface ContrastSample {
  selector: string;
  text: string;
  color: string;
  background: string;
  ratio: number;
}

/**
 * WCAG contrast of the first element matching each selector against the first opaque
 * background behind it (walking up the tree). Runs in the page, so it sees the theme in effect.
 */
export function measureContrast(page: Page, selectors: readonly string[]): Promise<ContrastSample[]> {
  return page.evaluate((sels) => {
    const rgb = (css: string): [number, number, number, number] => {
      const n = css.match(/[\d.]+/g)?.map(Number) ?? [];
      return [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0, n[3] ?? 1];
    };
    const luminance = ([r, g, b]: number[]): number => {
      const lin = (v: number) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r ?? 0) + 0.7152 * lin(g ?? 0) + 0.0722 * lin(b ?? 0);
    };
    const backgroundOf = (el: Element): string => {
      for (let node: Element | null = el; node; node = node.parentElement) {
        const bg = getComputedStyle(node).backgroundColor;
        if (rgb(bg)[3] === 1 && !bg.startsWith('rgba(0, 0, 0, 0')) return bg;
      }
      return getComputedStyle(document.documentElement).backgroundColor;
    };
    return sels.map((selector) => {
      const el = document.querySelector(selector);
      if (!el) throw new Error(`no element matches ${selector}`);
      const color = getComputedStyle(el).color;
      const background = backgroundOf(el);
      const [hi, lo] = [luminance(rgb(color)), luminance(rgb(background))].sort((a, b) => b - a);
      const ratio = ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
      return { selector, text: (el.textContent ?? '').trim().slice(0, 40), color, background, ratio };
    });
  }, selectors);
}
