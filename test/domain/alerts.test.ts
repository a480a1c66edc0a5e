import { describe, expect, it } from 'vitest';
import { alertsFor, type Alert } from '../../src/domain/alerts.js';
import { DeskConfig } from '../../src/domain/desk.js';
import { assignmentEvent, registrationEvent, slaEvent, surveyEvent, type Actor, type Claim, type ClaimEvent } from '../../src/domain/lifecycle.js';
import { claimFixture } from '../support/claims.js';

/** Who is alerted about a claim event: event kind × claim state → recipients, without a database. */

const created = new Date('2026-05-01T09:00:00Z');
const at = (hours: number) => new Date(created.getTime() + hours * 3_600_000);
const name = { ru: 'x', en: 'x' };

const desk = DeskConfig.parse({
  desk: { name },
  departments: [
    { id: 'quality', name, slackChannel: 'C0QUALITY01' },
    { id: 'logistics', name, slackChannel: 'C0LOGISTIC1' },
    { id: 'support', name },
  ],
  categories: [
    { id: 'defect', label: name, department: 'quality', notify: ['logistics', 'quality', 'support'] },
    { id: 'other', label: name, department: 'quality' },
  ],
  staff: [
    { id: 'ivan', name: 'Ivan', roles: ['specialist'], departments: ['quality'] },
    { id: 'maria', name: 'Maria', roles: ['operator'], departments: ['quality'] },
    { id: 'sergey', name: 'Sergey', roles: ['head'], departments: ['quality', 'logistics'] },
    { id: 'nina', name: 'Nina', roles: ['head'], departments: ['quality'] },
    { id: 'boris', name: 'Boris', roles: ['head'], departments: ['logistics'] },
  ],
});

const registered = registrationEvent(created);
const staffActor = (staffId: string): Actor => ({ kind: 'staff', staffId });

function claim(extra: Partial<Claim> = {}, events: readonly ClaimEvent[] = []): Claim {
  return claimFixture({ contact: { name: 'Anna' }, status: 'in_review', history: [registered, ...events], ...extra });
}

/** The alerts as `kind → target` lines, easy to read in a table. */
const recipients = (alerts: readonly Alert[]) => alerts.map((alert) => `${alert.kind} → ${alert.to.kind}:${alert.to.kind === 'staff' ? alert.to.staffId : alert.to.departmentId}`);

const byMaria = assignmentEvent('ivan', staffActor('maria'), at(1));
const selfAssigned = assignmentEvent('ivan', staffActor('ivan'), at(1));
const bySystem = assignmentEvent('ivan', { kind: 'system', reason: 'sla' }, at(1));
const laterToMaria = assignmentEvent('maria', staffActor('sergey'), at(2));
const backToIvan = assignmentEvent('ivan', staffActor('sergey'), at(3));
const warning = slaEvent({ stage: 'warning', deadline: 'first_response', at: at(18) }, at(18));
const breach = slaEvent({ stage: 'breach', deadline: 'resolution', at: at(240) }, at(240));
const surveySent = surveyEvent('survey_sent', at(100));
const lowScore = surveyEvent('survey_answered', at(101), { score: 2 });
const lowest = surveyEvent('survey_answered', at(101), { score: 1 });
const fairScore = surveyEvent('survey_answered', at(101), { score: 3 });
const comment = surveyEvent('survey_commented', at(102), { note: 'bad' });

const table: readonly (readonly [string, ClaimEvent, Claim, readonly string[]])[] = [
  ['a new claim: its department, and the notify list without its own department', registered, claim(), ['new_claim → department:quality', 'department_notice → department:logistics', 'department_notice → department:support']],
  ['a new claim of a category with no notify list: its department only', registered, claim({ category: 'other' }), ['new_claim → department:quality']],
  ['an assignment by someone else: the assignee', byMaria, claim({ assigneeId: 'ivan' }, [byMaria]), ['assignment → staff:ivan']],
  ['an assignment by the system: the assignee', bySystem, claim({ assigneeId: 'ivan' }, [bySystem]), ['assignment → staff:ivan']],
  ['assigning oneself: nobody', selfAssigned, claim({ assigneeId: 'ivan' }, [selfAssigned]), []],
  ['an assignment replaced by a later one: nobody', byMaria, claim({ assigneeId: 'maria' }, [byMaria, laterToMaria]), []],
  ['an earlier assignment of the same assignee, assigned again since: nobody (the latest alerts)', byMaria, claim({ assigneeId: 'ivan' }, [byMaria, laterToMaria, backToIvan]), []],
  ['the assignment back: its assignee', backToIvan, claim({ assigneeId: 'ivan' }, [byMaria, laterToMaria, backToIvan]), ['assignment → staff:ivan']],
  ['the later assignment: its assignee', laterToMaria, claim({ assigneeId: 'maria' }, [byMaria, laterToMaria]), ['assignment → staff:maria']],
  ['an assignment whose assignee no longer holds the claim: nobody', byMaria, claim({}, [byMaria]), []],
  ['an SLA warning on an assigned claim: the assignee', warning, claim({ assigneeId: 'ivan' }, [warning]), ['sla_warning → staff:ivan']],
  ['an SLA warning on an unassigned claim: nobody', warning, claim({}, [warning]), []],
  ['an SLA breach: the heads of the claim\'s department', breach, claim({ assigneeId: 'ivan' }, [breach]), ['sla_breach → staff:sergey', 'sla_breach → staff:nina']],
  ['an SLA breach in a department without heads: nobody', breach, claim({ department: 'support' }, [breach]), []],
  ['a low score on an assigned claim: the department and the assignee', lowScore, claim({ status: 'resolved', assigneeId: 'ivan' }, [surveySent, lowScore]), ['low_score → department:quality', 'low_score → staff:ivan']],
  ['the lowest score on an unassigned claim: the department', lowest, claim({ status: 'resolved' }, [surveySent, lowest]), ['low_score → department:quality']],
  ['a fair score: nobody', fairScore, claim({ status: 'resolved', assigneeId: 'ivan' }, [surveySent, fairScore]), []],
  ['a survey comment: nobody', comment, claim({ status: 'resolved', assigneeId: 'ivan' }, [surveySent, lowScore, comment]), []],
  ['a survey sent: nobody', surveySent, claim({ status: 'resolved', assigneeId: 'ivan' }, [surveySent]), []],
];

describe('alertsFor', () => {
  it.each(table)('%s', (_title, event, state, expected) => {
    expect(recipients(alertsFor(event, state, desk))).toEqual(expected);
  });

  it('carries the event, and a key per event and recipient', () => {
    const alerts = alertsFor(breach, claim({}, [breach]), desk);
    expect(alerts.map((alert) => alert.event)).toEqual([breach, breach]);
    expect(alerts.map((alert) => alert.key)).toEqual([`${breach.id}:sla:sergey`, `${breach.id}:sla:nina`]);
    expect(alertsFor(byMaria, claim({ assigneeId: 'ivan' }, [byMaria]), desk).map((alert) => alert.key)).toEqual([`${byMaria.id}:ping`]);
  });

  it('keys a low score by its survey: a score changed from 1 to 2 is the same alert', () => {
    const first = alertsFor(lowest, claim({ status: 'resolved', assigneeId: 'ivan' }, [surveySent, lowest]), desk);
    const changed = alertsFor(lowScore, claim({ status: 'resolved', assigneeId: 'ivan' }, [surveySent, lowest, lowScore]), desk);
    expect(changed.map((alert) => alert.key)).toEqual(first.map((alert) => alert.key));
    expect(first.map((alert) => alert.key)).toEqual([`${surveySent.id}:low:channel`, `${surveySent.id}:low:ivan`]);
    // a later survey (a reopened claim resolved again) alerts again
    const again = surveyEvent('survey_sent', at(300));
    const later = surveyEvent('survey_answered', at(301), { score: 1 });
    const second = alertsFor(later, claim({ status: 'resolved', assigneeId: 'ivan' }, [surveySent, lowest, again, later]), desk);
    expect(second.map((alert) => alert.key)).toEqual([`${again.id}:low:channel`, `${again.id}:low:ivan`]);
  });

  it('alerts nobody about the other events', () => {
    const events: ClaimEvent[] = [
      { id: 'e1', at: at(3), actor: staffActor('ivan'), type: 'status_changed', from: 'new', to: 'in_review', notifyCustomer: true },
      { id: 'e2', at: at(4), actor: { kind: 'customer' }, type: 'customer_info', note: 'more', notifyCustomer: false },
      { id: 'e3', at: at(5), actor: { kind: 'system', reason: 'delivery' }, type: 'delivery_failed', aboutEventId: 'e1', deliveryFailure: 'unreachable', notifyCustomer: false },
      surveyEvent('survey_reminder', at(6)),
      surveyEvent('survey_skipped', at(7)),
    ];
    for (const event of events) expect(alertsFor(event, claim({ assigneeId: 'ivan' }, events), desk)).toEqual([]);
  });
});
