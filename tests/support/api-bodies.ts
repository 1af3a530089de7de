/** Request bodies of the API tests: a program with an evening track, and a client enrolled on it. */
export const programBody = {
  id: 'sunrise',
  name: 'Sunrise',
  timezone: 'America/New_York',
  tracks: [
    {
      id: 'evening',
      groups: [{ days: ['MON', 'TUE', 'THU'], start: '18:00', minutes: 180, topic: 'skills' }],
    },
  ],
  individual: { perWeek: 1, minutes: 60 },
};

export const clientBody = {
  id: 'c-001',
  phone: '+12025550101',
  track: 'evening',
  clinicianId: 'dr-lee',
  start: '2027-01-04',
  smsConsent: true,
};
