import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { nextSequence } from '../../src/store/counters.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase('counters');
});
afterAll(async () => {
  await t.close();
});

describe('sequences', () => {
  it('hands out 1…N exactly once each under heavy concurrency, starting from nothing', async () => {
    const values = await Promise.all(Array.from({ length: 120 }, () => nextSequence(t.db, 'race')));
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('several instances racing, each with a burst of callers: 1…N exactly once each', async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, () => MongoClient.connect(t.uri)));
    try {
      const values = await Promise.all(clients.flatMap((client) => Array.from({ length: 40 }, () => nextSequence(client.db(t.db.databaseName), 'instances'))));
      expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 160 }, (_, i) => i + 1));
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it('a burst of callers in one process shares a few swaps instead of one each', async () => {
    const monitored = await MongoClient.connect(t.uri, { monitorCommands: true });
    try {
      let swaps = 0;
      monitored.on('commandStarted', (event) => {
        if (event.commandName === 'update' || event.commandName === 'insert') swaps++;
      });
      const db = monitored.db(t.db.databaseName);
      const values = await Promise.all(Array.from({ length: 100 }, () => nextSequence(db, 'burst')));
      expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(swaps).toBeLessThanOrEqual(3);
      // and the sequence goes on from there
      expect(await nextSequence(db, 'burst')).toBe(101);
    } finally {
      await monitored.close();
    }
  });

  it('keeps separate sequences apart (one per year)', async () => {
    expect(await nextSequence(t.db, 'claims-2026')).toBe(1);
    expect(await nextSequence(t.db, 'claims-2027')).toBe(1);
    expect(await nextSequence(t.db, 'claims-2026')).toBe(2);
  });
});
