/**
 * The token claims this API reads (documented in the README):
 * - end user: `sub` = `users.users.id` (UUID), no `company_id`.
 * - company staff: `company_id` (UUID) and `roles` containing `favorites:analytics`; `sub` is the staff member.
 *
 * No imports: the dev tools and the tests mint tokens with these names too.
 */
export const STAFF_ANALYTICS_ROLE = 'favorites:analytics'
