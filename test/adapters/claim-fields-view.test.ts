import { beforeAll, describe, expect, it } from 'vitest';
import { claimCard } from '../../adapters/slack/render.js';
import { claimView } from '../../adapters/web/console/api.js';
import type { DeskConfig, StaffMember } from '../../src/domain/desk.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { t } from '../../src/i18n/index.js';
import { claimFixture } from '../support/claims.js';
import { exampleDesk } from '../support/fixtures.js';

/** The intake's extra fields (#25) as staff see them: the Slack card and the console's claim. */

let desk: DeskConfig;
let maria: StaffMember;
beforeAll(async () => {
  desk = await exampleDesk();
  const found = desk.staff.find((member) => member.id === 'maria');
  if (!found) throw new Error('the example desk has maria');
  maria = { ...found, locale: 'en' };
});

/** The text of a Slack message's blocks. */
const cardText = (claim: Claim, locale: 'ru' | 'en') => JSON.stringify(claimCard({ desk, locale }, claim));

describe('the amount and the purchase date for staff', () => {
  // the example desk's refund category asks both (amount required, purchase date optional)
  const refund = (concerns: Claim['concerns']) => claimFixture({ category: 'refund', department: 'support', concerns });

  it('shows them formatted in the member\'s language on the Slack card and in the console', () => {
    const claim = refund({ product: 'Kettle', amount: { minor: 129990, currency: 'RUB' }, purchaseDate: '2026-11-12' });
    expect(cardText(claim, 'en')).toContain(t('en', 'staff.card.amount', { value: 'RUB\u00a01,299.90' }));
    expect(cardText(claim, 'en')).toContain(t('en', 'staff.card.purchased', { value: '12 Nov 2026' }));
    expect(cardText(claim, 'ru')).toContain(t('ru', 'staff.card.amount', { value: '1\u00a0299,90\u00a0₽' }));
    expect(claimView(desk, maria, claim, () => undefined).fieldTexts).toEqual({ amount: 'RUB\u00a01,299.90', purchaseDate: '12 Nov 2026' });
  });

  it('says "not recorded" where the category asks a field the customer skipped', () => {
    const claim = refund({ product: 'Kettle' });
    const missing = t('en', 'staff.field.not_recorded');
    expect(cardText(claim, 'en')).toContain(t('en', 'staff.card.amount', { value: missing }));
    expect(cardText(claim, 'en')).toContain(t('en', 'staff.card.purchased', { value: missing }));
    expect(claimView(desk, maria, claim, () => undefined).fieldTexts).toEqual({ amount: missing, purchaseDate: missing });
  });

  it('leaves them out where the category does not ask them and none was recorded', () => {
    const claim = claimFixture({ category: 'delivery', department: 'logistics', concerns: { product: 'Kettle' } });
    expect(cardText(claim, 'en')).not.toContain(t('en', 'staff.card.amount', { value: '' }).trim());
    expect(claimView(desk, maria, claim, () => undefined).fieldTexts).toEqual({});
    // a date recorded anyway (a claim registered before the setting, or by staff) is shown
    const dated = claimFixture({ category: 'defect', concerns: { purchaseDate: '2026-01-10' } });
    expect(claimView(desk, maria, dated, () => undefined).fieldTexts).toEqual({ purchaseDate: '10 Jan 2026' });
  });
});
