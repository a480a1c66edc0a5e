import { describe, expect, it } from 'vitest';
import { Contact, Email, normalisePhone } from '../../src/domain/contact.js';

describe('phone numbers', () => {
  it.each([
    ['+7 912 345-67-89', '+79123456789'],
    ['8 (912) 345-67-89', '+79123456789'],
    ['9123456789', '+79123456789'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+1 (415) 555-0100', '+14155550100'],
  ])('normalises %j to %s', (typed, e164) => {
    expect(normalisePhone(typed)).toBe(e164);
  });

  it.each(['', '12345', 'call me', '+7 912 abc 45 67', '0123456789', '+1234567890123456', '{"$gt": ""}'])('refuses %j', (typed) => {
    expect(normalisePhone(typed)).toBeUndefined();
  });
});

describe('contact', () => {
  it('needs a name and a phone or an e-mail', () => {
    expect(Contact.safeParse({ name: 'Anna' }).success).toBe(false);
    expect(Contact.safeParse({ name: '  ', email: 'a@b.ru' }).success).toBe(false);
    expect(Contact.parse({ name: ' Anna ', email: ' Anna@Example.RU ' })).toEqual({ name: 'Anna', email: 'anna@example.ru' });
    expect(Contact.parse({ name: 'Anna', phone: '8 912 345 67 89' })).toEqual({ name: 'Anna', phone: '+79123456789' });
  });

  it('explains what is wrong with a bad e-mail or phone', () => {
    const email = Email.safeParse('not-an-email');
    expect(email.success).toBe(false);
    expect(email.error?.issues[0]?.message).toMatch(/e-mail address/);
    const contact = Contact.safeParse({ name: 'Anna', phone: '123' });
    expect(contact.error?.issues[0]?.message).toMatch(/phone number/);
  });
});
