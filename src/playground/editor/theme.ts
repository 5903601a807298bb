// The site's theme as the editor should follow it: <html data-theme> when the learner
// picked one (ThemeToggle.astro), else the system's prefers-color-scheme.

export type SiteTheme = 'light' | 'dark';

const system = () => matchMedia('(prefers-color-scheme: dark)');

export function siteTheme(): SiteTheme {
  const picked = document.documentElement.getAttribute('data-theme');
  if (picked === 'light' || picked === 'dark') return picked;
  return system().matches ? 'dark' : 'light';
}

/** Calls `listener` with the theme each time it changes; returns a function that stops. */
export function onSiteTheme(listener: (theme: SiteTheme) => void): () => void {
  let current = siteTheme();
  const check = () => {
    const next = siteTheme();
    if (next !== current) listener((current = next));
  };
  const observer = new MutationObserver(check);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const media = system();
  media.addEventListener('change', check);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', check);
  };
}
