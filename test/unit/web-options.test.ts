// The web UI offers exactly the alert source settings the server accepts: its copy of the choices equals the server's.
import * as server from '../../lambdas/domain/alert-source';
import * as web from '../../web/src/options';

it.each(['INTEGRATION_TYPES', 'ALERT_CREATION_MODES', 'ALERT_PRIORITY_RULES', 'GROUPING_WINDOWS', 'WEEKDAYS'] as const)(
  '%s is the same list in the UI and on the server',
  (name) => {
    expect(web[name]).toEqual(server[name]);
  },
);
