/**
 * The YAES public routes (examples/yaes/API.md): one table from path to handler, auth where the contract says JWT.
 * Registered as a fastify plugin, so its error handler applies to these routes only.
 */
import type { FastifyInstance } from 'fastify';
import { expenseHandlers } from '../handlers/expense-handlers.js';
import { payableHandlers } from '../handlers/payable-handlers.js';
import { userHandlers } from '../handlers/user-handlers.js';
import { authenticate } from '../http/authenticate.js';
import { errorHandler } from '../http/error-handler.js';
import type { ExpenseService } from '../services/expense-service.js';
import type { PayableService } from '../services/payable-service.js';
import type { UserService } from '../services/user-service.js';
import { methodNotAllowed } from './method-not-allowed.js';

/** The services the routes call. */
export interface YaesServices {
  users: UserService;
  expenses: ExpenseService;
  payables: PayableService;
}

/** Request bodies above this are refused with 413 before parsing. */
const BODY_LIMIT = 64 * 1024;

/**
 * The routes as a fastify plugin.
 * @example await app.register(yaesRoutes(services))
 */
export function yaesRoutes(services: YaesServices) {
  return async (app: FastifyInstance): Promise<void> => {
    const users = userHandlers(services.users);
    const expenses = expenseHandlers(services.expenses);
    const payables = payableHandlers(services.payables);
    const auth = { onRequest: authenticate(services.users) };
    const write = { bodyLimit: BODY_LIMIT };

    app.setErrorHandler(errorHandler);
    // A JSON API: text bodies are refused with 415 instead of reaching the decoders as strings.
    app.removeContentTypeParser('text/plain');
    app.post('/users', write, users.register);
    app.get('/users', auth, users.list);
    app.post('/login', write, users.login);
    app.get('/expenses', auth, expenses.list);
    app.post('/expenses', { ...auth, ...write }, expenses.create);
    app.get('/payables', auth, payables.list);
    app.put('/payables/:id', { ...auth, ...write }, payables.update);

    methodNotAllowed(app, '/users', ['GET', 'POST']);
    methodNotAllowed(app, '/login', ['POST']);
    methodNotAllowed(app, '/expenses', ['GET', 'POST']);
    methodNotAllowed(app, '/payables', ['GET']);
    methodNotAllowed(app, '/payables/:id', ['PUT']);
  };
}
