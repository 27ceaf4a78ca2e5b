import { chromium } from 'playwright-core';
const [,, url, sel, out, width] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = await browser.newPage({ viewport: { width: Number(width), height: 900 } });
await page.goto(url); await page.waitForLoadState('networkidle');
await page.locator(sel).first().screenshot({ path: out });
await browser.close();
