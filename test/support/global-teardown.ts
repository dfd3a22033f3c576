import { servicesFromGlobal } from './services-env';

export default async function globalTeardown(): Promise<void> {
  await servicesFromGlobal()?.stop();
}
