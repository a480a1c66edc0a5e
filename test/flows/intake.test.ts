import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { exampleDesk } from '../support/fixtures.js';
import { deskUnderTest, photo, TestChat, type DeskUnderTest } from '../support/chat.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import { t } from '../../src/i18n/index.js';

let db: TestDatabase;
let desk: DeskConfig;
let app: DeskUnderTest;

beforeAll(async () => {
  db = await openTestDatabase('intake');
  await ensureIndexes(db.db);
  desk = await exampleDesk();
  app = deskUnderTest(db.db, desk);
});
afterAll(async () => {
  await db.close();
});

describe('intake in English', () => {
  it('goes from /start to a registered claim with its number and due time', async () => {
    const chat = new TestChat(app.runner);
    await chat.send('/start');
    console.log(chat.text, chat.choices);
    await chat.press(t('en', 'kind.claim'));
    console.log(chat.text, chat.choices);
    await chat.press('Defective product');
    await chat.send('Kettle KT-200');
    await chat.press('Skip');
    await chat.send('The kettle stopped heating after two days.');
    await chat.sendFiles([photo(1), photo(2)]);
    console.log(chat.text, chat.choices);
    await chat.press('Done (2)');
    await chat.press('Replacement');
    await chat.press('Anna');
    await chat.send('+7 912 345-67-89');
    console.log(chat.text, chat.choices);
    await chat.press('Submit the claim');
    console.log(chat.text, chat.choices);
    expect(chat.text).toMatch(/No\. 2026-\d{6}/);
  });
});
