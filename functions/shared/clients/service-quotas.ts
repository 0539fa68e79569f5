import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';

/** One Service Quotas client per cold start (the pre-flight's quota reads). */
export const quotas = new ServiceQuotasClient({ maxAttempts: 6 });
